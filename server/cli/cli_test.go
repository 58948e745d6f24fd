package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(Env{Args: append([]string{"baton"}, args...), Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }})
	return result{code, out.String(), errb.String()}
}

func TestAgentsAndSitesFromTheCommandLine(t *testing.T) {
	data := t.TempDir()
	r := runCLI(t, "", "site", "add", "--data", data, "--name", "My Shop", "--origin", "https://shop.example")
	if r.code != 0 || !strings.Contains(r.stdout, "site key:        my-shop") || !strings.Contains(r.stdout, "identity secret: ") {
		t.Fatalf("site add: %+v", r)
	}
	r = runCLI(t, "s3cret-password\n", "agent", "add", "--data", data, "--email", "Ann@Example.com", "--name", "Ann")
	if r.code != 0 || !strings.Contains(r.stdout, "added agent ann@example.com") || strings.Contains(r.stdout, "password:") {
		t.Fatalf("agent add: %+v", r)
	}
	r = runCLI(t, "", "agent", "add", "--data", data, "--email", "boss@example.com", "--name", "Boss", "--role", "admin")
	if r.code != 0 || !strings.Contains(r.stdout, "password: ") {
		t.Fatalf("agent add with a generated password: %+v", r)
	}
	r = runCLI(t, "", "agent", "list", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "ann@example.com") || !strings.Contains(r.stdout, "my-shop") || !strings.Contains(r.stdout, "(all)") {
		t.Fatalf("agent list: %+v", r)
	}
	r = runCLI(t, "", "agent", "token", "--data", data, "--email", "ann@example.com", "--ttl", "1h")
	if r.code != 0 || strings.Count(strings.TrimSpace(r.stdout), ".") != 2 {
		t.Fatalf("agent token: %+v", r)
	}
	r = runCLI(t, "", "site", "list", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "https://shop.example") {
		t.Fatalf("site list: %+v", r)
	}
	r = runCLI(t, "", "site", "export", "my-shop", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "key: my-shop") || strings.Contains(r.stdout, "secret") {
		t.Fatalf("site export: %+v", r)
	}
	file := filepath.Join(t.TempDir(), "site.yaml")
	os.WriteFile(file, []byte(strings.Replace(r.stdout, "name: My Shop", "name: Renamed", 1)), 0o600)
	if r := runCLI(t, "", "site", "apply", "--data", data, "-f", file); r.code != 0 || !strings.Contains(r.stdout, "updated site my-shop") {
		t.Fatalf("site apply: %+v", r)
	}
	os.WriteFile(file, []byte("key: my-shop\nname: \"\"\nallowed_origins: [nope]\n"), 0o600)
	r = runCLI(t, "", "site", "apply", "--data", data, "-f", file)
	if r.code != 1 || !strings.Contains(r.stderr, "allowed_origins[0]") || !strings.Contains(r.stderr, "name: is required") {
		t.Fatalf("invalid apply: %+v", r)
	}
	if r := runCLI(t, "", "site", "export", "my-shop", "--data", data); !strings.Contains(r.stdout, "name: Renamed") {
		t.Fatalf("invalid apply changed the site: %s", r.stdout)
	}
}

func TestCommandLineMistakesExitNonZeroWithOneLine(t *testing.T) {
	data := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, 2, "a command is required"},
		{"unknown command", []string{"launch"}, 2, `unknown command "launch"`},
		{"unknown flag", []string{"serve", "--port", "80"}, 2, "flag provided but not defined: -port"},
		{"bad addr", []string{"serve", "--addr", "nowhere"}, 2, "--addr"},
		{"bad database url", []string{"serve", "--database-url", "mysql://x"}, 2, "postgres://"},
		{"bad public url", []string{"serve", "--public-url", "ftp://x"}, 2, "--public-url"},
		{"unknown subcommand", []string{"agent", "fire", "--data", data}, 2, `unknown subcommand "fire"`},
		{"bad role", []string{"agent", "add", "--data", data, "--email", "a@b.c", "--name", "A", "--role", "king"}, 2, "--role"},
		{"missing email", []string{"agent", "add", "--data", data, "--name", "A"}, 2, "--email"},
		{"bad ttl", []string{"agent", "token", "--data", data, "--email", "a@b.c", "--ttl", "soon"}, 2, "invalid value"},
		{"unknown agent", []string{"agent", "token", "--data", data, "--email", "who@b.c"}, 2, "no agent"},
		{"site without origin", []string{"site", "add", "--data", data, "--name", "X"}, 2, "--origin"},
		{"apply without file", []string{"site", "apply", "--data", data}, 2, "-f FILE"},
		{"missing file", []string{"site", "apply", "--data", data, "-f", "/no/such/file.yaml"}, 1, "no such file"},
		{"export unknown", []string{"site", "export", "nope", "--data", data}, 2, "no site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
			if tt.code == 2 && tt.args != nil && strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
				t.Fatalf("more than one line: %q", r.stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	if r := runCLI(t, "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "baton ") {
		t.Fatalf("%+v", r)
	}
}
