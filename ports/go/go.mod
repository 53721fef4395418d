module caspian-go-port

go 1.19
