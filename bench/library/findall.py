# findall.py: re.findall of a word pattern over a file (its path in TEXT), timed alone, as findall.tul.
import os
import re
import time

text = open(os.environ["TEXT"], encoding="utf-8").read()
t0 = time.perf_counter()
words = re.findall(r"\w+", text)
t1 = time.perf_counter()
print("findall_ms", (t1 - t0) * 1000)
print("check", len(words), words[0], words[-1])
