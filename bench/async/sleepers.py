# Python asyncio reference for async bench (a)/(c) and (b): MODE=yield for the yield workload.
import asyncio, os

async def sleeper():
    await asyncio.sleep(0.010)
    return 1

async def yielder(times):
    for _ in range(times):
        await asyncio.sleep(0)
    return times

async def main():
    if os.environ.get("MODE") == "yield":
        xs = await asyncio.gather(*(yielder(1000) for _ in range(1000)))
    else:
        xs = await asyncio.gather(*(sleeper() for _ in range(int(os.environ.get("TASKS", "100000")))))
    print(sum(xs))

asyncio.run(main())
