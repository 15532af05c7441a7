// report.js: report.tul in Node (the same walk and output).
import { readFileSync } from "node:fs";
const doc = JSON.parse(readFileSync(process.env.DOC, "utf8"));
const byCity = new Map(), byCustomer = new Map();
let items = 0, paid = 0;
for (const o of doc.orders) {
  let total = 0;
  for (const it of o.items) {
    total += it.price * it.qty;
    items++;
  }
  if (o.paid === true) paid++;
  byCity.set(o.city, (byCity.get(o.city) ?? 0) + total);
  byCustomer.set(o.customer, (byCustomer.get(o.customer) ?? 0) + total);
}
console.log("orders", doc.orders.length, "items", items, "paid", paid);
for (const c of [...byCity.keys()].sort()) console.log(c, byCity.get(c).toFixed(2));
const top = [...byCustomer.keys()].sort((a, b) => byCustomer.get(b) - byCustomer.get(a));
for (const c of top.slice(0, 5)) console.log(c, byCustomer.get(c).toFixed(2));
