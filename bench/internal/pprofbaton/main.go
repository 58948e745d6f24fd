// Command pprofbaton is `baton` with a CPU profile: the benchmarks run it instead of
// ./cmd/baton when given -cpuprofile, so the profile is of the server process alone. It
// writes the profile named by BATON_BENCH_CPUPROFILE when the server has shut down.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/batonchat/baton/server/cli"
)

func main() {
	os.Exit(run())
}

func run() int {
	if path := os.Getenv("BATON_BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pprofbaton:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "pprofbaton:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	return cli.Main(cli.Env{Args: os.Args, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
}
