package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/batonchat/baton/server/chat"
)

// These tests are about SQLite's group commit; the conformance suite (store_test.go) checks
// that transactions behave the same as on PostgreSQL.

func openSQLiteGroup(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if db.group == nil {
		t.Fatal("SQLite store without group commit")
	}
	return db
}

// holdWriter runs a transaction whose function waits until release is called: calls made
// meanwhile queue up, and the writer takes them as one group.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	entered, proceed, errc := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		errc <- db.Tx(context.Background(), func(chat.Tx) error {
			close(entered)
			<-proceed
			return nil
		})
	}()
	<-entered
	return func() {
		close(proceed)
		if err := <-errc; err != nil {
			t.Errorf("the holding transaction: %v", err)
		}
	}
}

// queue starts a Tx call in a goroutine once the previous ones are queued, so that the group
// runs them in the order given, and returns where its result will arrive.
func queue(t *testing.T, ctx context.Context, db *DB, fn func(chat.Tx) error) <-chan error {
	t.Helper()
	n := len(db.group.calls)
	errc := make(chan error, 1)
	go func() { errc <- db.Tx(ctx, fn) }()
	for len(db.group.calls) == n {
		runtime.Gosched()
	}
	return errc
}

func setMeta(name string) func(chat.Tx) error {
	return func(ct chat.Tx) error {
		t := ct.(*tx)
		_, err := t.q.ExecContext(t.ctx, `INSERT INTO meta (name, value) VALUES ($1, 'x')`, name)
		return err
	}
}

func metaNames(t *testing.T, db *DB) map[string]bool {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), `SELECT name FROM meta WHERE value = 'x'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names[n] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

var errRefused = errors.New("refused")

func TestGroupGivesEachCallerItsOwnOutcome(t *testing.T) {
	type outcome int
	const (
		commits outcome = iota
		fails           // writes, then returns an error
		panics          // writes, then panics
		exits           // writes, then runtime.Goexit (what t.FailNow does)
	)
	tests := []struct {
		name  string
		calls []outcome
	}{
		{"all commit", []outcome{commits, commits, commits}},
		{"one of many fails", []outcome{commits, fails, commits, commits}},
		{"the first and the last fail", []outcome{fails, commits, commits, fails}},
		{"every other fails", []outcome{commits, fails, commits, fails, commits, fails}},
		{"a panic in the middle", []outcome{commits, panics, commits}},
		{"a goroutine exit in the middle", []outcome{commits, exits, commits}},
		{"a goroutine exit at the end", []outcome{commits, commits, exits}},
		{"alone and failing", []outcome{fails}},
		{"alone and panicking", []outcome{panics}},
		{"alone and exiting", []outcome{exits}},
		{"everybody fails", []outcome{fails, panics, exits, fails}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openSQLiteGroup(t)
			ctx := context.Background()
			release := holdWriter(t, db)
			results := make([]<-chan error, len(tt.calls))
			for i, o := range tt.calls {
				name := fmt.Sprint("call", i)
				results[i] = queue(t, ctx, db, func(ct chat.Tx) error {
					if err := setMeta(name)(ct); err != nil {
						return err
					}
					switch o {
					case fails:
						return errRefused
					case panics:
						panic("boom")
					case exits:
						runtime.Goexit()
					}
					return nil
				})
			}
			release()
			errs := make([]error, len(results))
			for i, r := range results {
				errs[i] = <-r
			}
			stored := metaNames(t, db)
			for i, o := range tt.calls {
				err, name := errs[i], fmt.Sprint("call", i)
				switch {
				case o == commits && err != nil:
					t.Errorf("call %d: %v, want it committed", i, err)
				case o == fails && !errors.Is(err, errRefused):
					t.Errorf("call %d: %v, want its own error", i, err)
				case o == panics && (err == nil || !strings.Contains(err.Error(), "panicked: boom")):
					t.Errorf("call %d: %v, want the panic as its error", i, err)
				case o == exits && !errors.Is(err, errGoexit):
					t.Errorf("call %d: %v, want errGoexit", i, err)
				}
				if stored[name] != (o == commits) {
					t.Errorf("call %d: stored %v, want %v", i, stored[name], o == commits)
				}
			}
			// The writer is still there.
			if err := db.Tx(ctx, setMeta("after")); err != nil {
				t.Fatalf("a transaction after the group: %v", err)
			}
		})
	}
}

func TestGroupFunctionsSeeTheChangesOfTheOnesBefore(t *testing.T) {
	db := openSQLiteGroup(t)
	ctx := context.Background()
	release := holdWriter(t, db)
	first := queue(t, ctx, db, setMeta("first"))
	var seen string
	second := queue(t, ctx, db, func(ct chat.Tx) error {
		t := ct.(*tx)
		return t.q.QueryRowContext(t.ctx, `SELECT name FROM meta WHERE name = 'first'`).Scan(&seen)
	})
	release()
	if err := errors.Join(<-first, <-second); err != nil {
		t.Fatal(err)
	}
	if seen != "first" {
		t.Errorf("the second function saw %q, want the first one's row", seen)
	}
}

func TestGroupSkipsACallerWhoseContextEndedBeforeItsTurn(t *testing.T) {
	db := openSQLiteGroup(t)
	release := holdWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	cancelled := queue(t, ctx, db, func(ct chat.Tx) error {
		ran = true
		return setMeta("cancelled")(ct)
	})
	other := queue(t, context.Background(), db, setMeta("other"))
	cancel()
	// The caller returns while the writer is still busy with the transaction before.
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v, want context.Canceled", err)
	}
	release()
	if err := <-other; err != nil {
		t.Errorf("the other caller: %v", err)
	}
	stored := metaNames(t, db)
	if ran || stored["cancelled"] || !stored["other"] {
		t.Errorf("cancelled function ran: %v; stored %v, want only the other caller's row", ran, stored)
	}
}

func TestGroupCommitsAFunctionWhoseCallerGaveUpWhileItRan(t *testing.T) {
	db := openSQLiteGroup(t)
	release := holdWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	before := queue(t, context.Background(), db, setMeta("before"))
	impatient := queue(t, ctx, db, func(ct chat.Tx) error {
		cancel() // the caller gives up half way: its statements go on, and so does the group
		if err := setMeta("impatient1")(ct); err != nil {
			return err
		}
		return setMeta("impatient2")(ct)
	})
	after := queue(t, context.Background(), db, setMeta("after"))
	release()
	if err := errors.Join(<-before, <-impatient, <-after); err != nil {
		t.Fatalf("got %v, want every call committed", err)
	}
	stored := metaNames(t, db)
	for _, name := range []string{"before", "impatient1", "impatient2", "after"} {
		if !stored[name] {
			t.Errorf("%s not stored", name)
		}
	}
}

func TestGroupRunsTheOthersAgainWhenAFunctionLosesTheTransaction(t *testing.T) {
	// SQLite abandons the whole transaction on some errors (I/O, disk full); a function that
	// ends it itself stands in for those.
	for _, ret := range []error{nil, errRefused} {
		t.Run(fmt.Sprint("returning ", ret), func(t *testing.T) {
			db := openSQLiteGroup(t)
			ctx := context.Background()
			release := holdWriter(t, db)
			runs := map[string]int{}
			counted := func(name string) func(chat.Tx) error {
				return func(ct chat.Tx) error { runs[name]++; return setMeta(name)(ct) }
			}
			before := queue(t, ctx, db, counted("before"))
			loser := queue(t, ctx, db, func(ct chat.Tx) error {
				t := ct.(*tx)
				if err := setMeta("loser")(ct); err != nil {
					return err
				}
				if _, err := t.q.ExecContext(t.ctx, "ROLLBACK"); err != nil {
					return err
				}
				return ret
			})
			after := queue(t, ctx, db, counted("after"))
			release()
			if err := <-loser; err == nil {
				t.Error("the function that lost the transaction was told it committed")
			}
			if err := errors.Join(<-before, <-after); err != nil {
				t.Fatalf("the others: %v", err)
			}
			stored := metaNames(t, db)
			if !stored["before"] || !stored["after"] || stored["loser"] {
				t.Errorf("stored %v, want before and after", stored)
			}
			if runs["before"] != 2 || runs["after"] != 1 {
				t.Errorf("runs %v, want before run again and after once", runs)
			}
		})
	}
}

func TestConcurrentGroupsNumberMessagesWithoutGaps(t *testing.T) {
	db := openSQLiteGroup(t)
	ctx := context.Background()
	site := &chat.Site{ID: chat.NewID("st"), Key: "shop", Settings: []byte("{}")}
	if err := db.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	const conversations, writers, each = 4, 32, 20
	convs := make([]*chat.Conversation, conversations)
	for i := range convs {
		c := &chat.Conversation{ID: chat.NewID("cv"), SiteID: site.ID, VisitorID: chat.NewID("vi"), Status: chat.StatusBot}
		err := db.Tx(ctx, func(tx chat.Tx) error {
			if err := tx.EnsureVisitor(&chat.Visitor{ID: c.VisitorID, SiteID: site.ID}); err != nil {
				return err
			}
			return tx.CreateConversation(c)
		})
		if err != nil {
			t.Fatal(err)
		}
		convs[i] = c
	}
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		committed = map[string][]string{} // conversation → ids of the messages acknowledged
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				conv := convs[(w+i)%conversations]
				m := &chat.Message{ID: chat.NewID("ms"), AuthorType: chat.AuthorVisitor, AuthorID: conv.VisitorID, Kind: chat.KindText, Text: "x"}
				fail := (w+i)%3 == 0 // appended, then rolled back
				err := db.Tx(ctx, func(tx chat.Tx) error {
					c, err := tx.Conversation(conv.ID)
					if err != nil {
						return err
					}
					if err := tx.AppendMessage(c, m, true); err != nil {
						return err
					}
					if fail {
						return errRefused
					}
					return nil
				})
				switch {
				case fail && !errors.Is(err, errRefused):
					t.Errorf("failing append: %v", err)
				case !fail && err != nil:
					t.Errorf("append: %v", err)
				case !fail:
					mu.Lock()
					committed[conv.ID] = append(committed[conv.ID], m.ID)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for _, c := range convs {
		list, _, err := db.Messages(ctx, chat.MessageQuery{ConversationID: c.ID, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(committed[c.ID]) {
			t.Errorf("conversation %s holds %d messages, %d were acknowledged", c.ID, len(list), len(committed[c.ID]))
		}
		acked := map[string]bool{}
		for _, id := range committed[c.ID] {
			acked[id] = true
		}
		for i, m := range list {
			if m.Seq != int64(i+1) || m.VisitorSeq != int64(i+1) || !acked[m.ID] {
				t.Fatalf("message %d: seq %d/%d, acknowledged %v", i, m.Seq, m.VisitorSeq, acked[m.ID])
			}
		}
		got, err := db.Conversation(ctx, c.ID)
		if err != nil || got.LastSeq != int64(len(list)) {
			t.Errorf("conversation counter %d, %d messages (%v)", got.LastSeq, len(list), err)
		}
	}
}

func TestTxInsideATransactionFunctionFailsInsteadOfWaitingForever(t *testing.T) {
	db := openSQLiteGroup(t)
	ctx := context.Background()
	err := db.Tx(ctx, func(ct chat.Tx) error {
		if err := setMeta("outer")(ct); err != nil {
			return err
		}
		return db.Tx(ctx, setMeta("inner"))
	})
	if err == nil || !strings.Contains(err.Error(), "Tx called inside a transaction function") {
		t.Fatalf("got %v, want the nesting reported", err)
	}
	if stored := metaNames(t, db); len(stored) != 0 {
		t.Errorf("stored %v, want nothing", stored)
	}
	if err := db.Tx(ctx, setMeta("after")); err != nil {
		t.Fatalf("a transaction after: %v", err)
	}
}

func TestTxOfAnotherDatabaseInsideATransactionFunctionIsNotNesting(t *testing.T) {
	one, two := openSQLiteGroup(t), openSQLiteGroup(t)
	ctx := context.Background()
	// two's writer is inside a function when one's function calls two.Tx: the check must tell
	// one's writer from two's.
	releaseTwo := holdWriter(t, two)
	returned, released := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(released)
		for len(two.group.calls) == 0 { // until one's function waits for two
			select {
			case <-returned: // or it will not
				releaseTwo()
				return
			default:
				runtime.Gosched()
			}
		}
		releaseTwo()
	}()
	var inner error
	err := one.Tx(ctx, func(ct chat.Tx) error {
		inner = two.Tx(ctx, setMeta("in two"))
		return setMeta("in one")(ct)
	})
	close(returned)
	<-released
	if err := errors.Join(err, inner); err != nil {
		t.Fatal(err)
	}
	if !metaNames(t, one)["in one"] || !metaNames(t, two)["in two"] {
		t.Error("a row is missing")
	}
}

func TestCloseFailsTheCallsStillQueued(t *testing.T) {
	db, err := Open(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	release := holdWriter(t, db)
	queued := queue(t, context.Background(), db, setMeta("queued"))
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	for {
		select {
		case <-db.group.stop:
		default:
			runtime.Gosched()
			continue
		}
		break
	}
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := <-queued; !errors.Is(err, errClosed) {
		t.Errorf("queued call: %v, want errClosed", err)
	}
	if err := db.Tx(context.Background(), setMeta("late")); !errors.Is(err, errClosed) {
		t.Errorf("call after close: %v, want errClosed", err)
	}
}
