// wordfreq.js: the word counter of wordfreq.tul in Node (a Map, a Unicode split on non-word characters).
import fs from "node:fs";
const text = fs.readFileSync(process.env.TEXT, "utf8").toLowerCase();
const counts = new Map();
for (const w of text.split(/[^\p{L}\p{N}_]+/u)) {
  if (w === "") continue;
  counts.set(w, (counts.get(w) ?? 0) + 1);
}
const words = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a) || (a < b ? -1 : a > b ? 1 : 0));
for (const w of words.slice(0, 10)) console.log(w, counts.get(w));
console.log("distinct", words.length);
