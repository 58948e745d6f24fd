package outbox_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/helpdesk/helpdesktest"
	"github.com/batonchat/baton/server/outbox"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
	"github.com/batonchat/baton/server/webhook"
)

// TestMain lets this test binary also be the worker process the crash tests kill.
func TestMain(m *testing.M) {
	if os.Getenv("BATON_OUTBOX_WORKER") != "" {
		os.Exit(worker())
	}
	os.Exit(m.Run())
}

// worker is a process running only the outbox on the database the environment names, as
// `baton serve` would; it prints each outcome on a line of its own and runs until killed.
func worker() int {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: os.Getenv("WORKER_DATA"), DatabaseURL: os.Getenv("WORKER_DATABASE_URL")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	url := os.Getenv("WORKER_VENDOR_URL")
	cfg := &helpdesk.Config{
		Zendesk: &helpdesk.ZendeskConfig{URL: url, Email: "agent@shop.example", TokenEnv: "ZD_TOKEN"},
		Gorgias: &helpdesk.GorgiasConfig{URL: url, Email: "agent@shop.example", APIKeyEnv: "GG_KEY"},
	}
	ob := outbox.New(outbox.Options{
		Store:   db,
		Senders: &helpdesk.Senders{HTTP: webhook.NewClient(true), Getenv: os.Getenv},
		Config:  func(context.Context, string) (*helpdesk.Config, error) { return cfg, nil },
		Log:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		// A short lease, so the second process takes over soon after the first one died.
		Timeout: time.Second, Lease: 2 * time.Second, Poll: 50 * time.Millisecond,
	})
	ob.Start(printer{})
	select {}
}

type printer struct{}

func (printer) Delivered(_ context.Context, conv, ref string) error {
	_, err := fmt.Printf("delivered %s %s\n", conv, ref)
	return err
}

func (printer) Failed(_ context.Context, conv, reason string) error {
	_, err := fmt.Printf("failed %s %s\n", conv, reason)
	return err
}

// process is a running worker and the lines it prints.
type process struct {
	cmd    *exec.Cmd
	lines  chan string
	exited chan struct{} // closed when the process has exited
}

func startWorker(t *testing.T, env []string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "BATON_OUTBOX_WORKER=1", "ZD_TOKEN=zd-token", "GG_KEY=gg-key")...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, lines: make(chan string, 10), exited: make(chan struct{})}
	go func() {
		defer close(p.exited)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		io.Copy(io.Discard, out)
		cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// A process killed with SIGKILL after the vendor created the ticket and before the process
// stored the result: the next process's attempt finds the ticket instead of creating another.
func TestNoDuplicateTicketAfterKill9BetweenSendAndCommit(t *testing.T) {
	for _, method := range []string{"zendesk", "gorgias"} {
		t.Run(method, func(t *testing.T) {
			t.Run("sqlite", func(t *testing.T) {
				dir := t.TempDir()
				db, err := store.Open(context.Background(), store.Config{DataDir: dir})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				killBetweenSendAndCommit(t, db, method, "WORKER_DATA="+dir)
			})
			t.Run("postgres", func(t *testing.T) {
				url := storetest.PostgresURL(t)
				db, err := store.Open(context.Background(), store.Config{DatabaseURL: url})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				killBetweenSendAndCommit(t, db, method, "WORKER_DATABASE_URL="+url)
			})
		})
	}
}

func killBetweenSendAndCommit(t *testing.T, db *store.DB, method, dbEnv string) {
	f := newFixture(t, db)
	f.handOff(method)
	var (
		vendorURL string
		then      func(...helpdesktest.Answer)
		tickets   func() int
		requests  func() (int, int)
	)
	if method == "zendesk" {
		vendorURL, then, tickets, requests = f.zendesk.URL, f.zendesk.Then, func() int { return len(f.zendesk.Tickets()) }, f.zendesk.Requests
	} else {
		vendorURL, then, tickets, requests = f.gorgias.URL, f.gorgias.Then, func() int { return len(f.gorgias.Tickets()) }, f.gorgias.Requests
	}
	env := []string{dbEnv, "WORKER_VENDOR_URL=" + vendorURL}

	started, killed := make(chan *process, 1), make(chan struct{})
	then(helpdesktest.Answer{Create: true, Hang: true, Created: func() {
		p := <-started
		p.cmd.Process.Kill() // SIGKILL: no deferred function, no shutdown hook runs
		<-p.exited
		close(killed)
	}})
	first := startWorker(t, env)
	started <- first
	select {
	case <-killed:
	case line := <-first.lines:
		t.Fatalf("the first process finished: %s", line)
	case <-time.After(60 * time.Second): // a guard against hanging, not a speed check
		t.Fatal("the first process never sent the ticket")
	}
	d := f.deliveries()[0]
	if d.Status != chat.DeliveryPending || d.Attempts != 1 || d.Ref != "" || tickets() != 1 {
		t.Fatalf("after the kill: %+v, %d tickets", d, tickets())
	}

	second := startWorker(t, env)
	var line string
	select {
	case line = <-second.lines:
	case <-second.exited:
		t.Fatalf("the second process exited: %v", second.cmd.ProcessState)
	case <-time.After(60 * time.Second):
		t.Fatal("the second process never delivered")
	}
	d = f.deliveries()[0]
	want := "1000"
	if method == "gorgias" {
		want = "5000"
	}
	// The result is stored before the flow is told (that it was told is stored after: not checked).
	if line != "delivered "+f.conv.ID+" "+want || d.Status != chat.DeliveryDelivered || d.Ref != want || d.Attempts != 2 {
		t.Fatalf("told %q; delivery %+v", line, d)
	}
	creates, lookups := requests()
	if tickets() != 1 || creates != 1 || lookups != 1 {
		t.Fatalf("%d tickets from %d creations and %d lookups", tickets(), creates, lookups)
	}
}
