// go.mod: module file of the Go reference benchmark (bench/async/go/sleepers.go).
module sleepers

go 1.19
