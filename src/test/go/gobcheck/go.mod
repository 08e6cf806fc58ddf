module osms.example/gobcheck

go 1.19
