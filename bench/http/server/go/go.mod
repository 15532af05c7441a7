module tulpar.bench/httpserver

go 1.19
