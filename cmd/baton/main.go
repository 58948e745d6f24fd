// Command baton is the Baton server and its command line.
package main

import (
	"os"

	"github.com/batonchat/baton/server/cli"
)

func main() {
	os.Exit(cli.Main(cli.Env{Args: os.Args, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
}
