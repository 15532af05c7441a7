module cancelbench

go 1.19
