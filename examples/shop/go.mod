module example.com/shop

go 1.19

require golang.org/x/net v0.7.0
