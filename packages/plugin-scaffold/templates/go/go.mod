module {{PROJECT_NAME}}

go 1.21
