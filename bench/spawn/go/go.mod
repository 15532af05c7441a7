module spawnbench

go 1.19
