package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"sync/atomic"

	"github.com/batonchat/baton/server/chat"
)

// groupCommit runs the transactions of concurrent callers together on SQLite's one writer
// connection: one BEGIN IMMEDIATE, each caller's function inside its own SAVEPOINT, one COMMIT.
//
// SQLite runs one transaction at a time whatever we do, so callers queue anyway; committing
// their work together writes each page the group shares (the conversations' index pages, the
// messages' last pages) to the WAL once instead of once per caller, and with
// synchronous=FULL syncs once per group. Under load that is most of a commit's cost
// (docs/benchmarks.md); without load a group is one transaction, as before.
//
// The functions of a group run one after another on the writer goroutine, each seeing what the
// ones before it changed, as if their transactions had run in that order. A function that
// fails (or panics) is rolled back to its savepoint alone; every caller hears its own result
// only once the COMMIT returned, so a nil result is durable as before.
type groupCommit struct {
	db    *DB
	calls chan *groupCall
	stop  chan struct{} // closed by close: take no more calls
	done  chan struct{} // closed when the writer has answered its last call
	// fnEntry is the entry address of the caller's function the writer is running, 0 between
	// functions: nested checks the stack only when it is set, and against it.
	fnEntry atomic.Uintptr
}

// maxGroup bounds a group: the last caller of a group waits for every function before it, so
// an unbounded group would trade latency for little more throughput.
const maxGroup = 64

// A call is queued, then either taken by the writer (which then answers it) or abandoned by
// its caller (whose context ended first: the writer skips it).
const (
	callQueued int32 = iota
	callTaken
	callAbandoned
)

type groupCall struct {
	ctx   context.Context // the caller's: checked before its turn, never passed to SQLite
	fn    func(chat.Tx) error
	state atomic.Int32
	done  chan error // the answer, once the group committed or rolled back
}

var (
	errClosed = errors.New("store: the database is closed")
	// errGoexit answers a caller whose function ended its goroutine (runtime.Goexit, which is
	// what testing.T.FailNow calls) instead of returning.
	errGoexit = errors.New("store: the transaction function called runtime.Goexit (t.FailNow?) instead of returning")
)

// savepoint is the name of every caller's savepoint: each is released before the next begins.
const savepoint = "group_call"

func startGroupCommit(db *DB) *groupCommit {
	g := &groupCommit{db: db, calls: make(chan *groupCall, maxGroup), stop: make(chan struct{}), done: make(chan struct{})}
	go g.loop()
	return g
}

// do runs fn in the next group and returns its result once the group has committed.
func (g *groupCommit) do(ctx context.Context, fn func(chat.Tx) error) error {
	if g.nested() {
		// The writer is the caller: it would wait for itself forever.
		panic("store: Tx called inside a transaction function; do that work in the same transaction, or after it")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c := &groupCall{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case g.calls <- c:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.stop:
		return errClosed
	}
	select {
	case err := <-c.done:
		return err
	case <-ctx.Done():
		if c.state.CompareAndSwap(callQueued, callAbandoned) {
			return ctx.Err()
		}
		return <-c.done // its function ran: it waits for the commit
	case <-g.done:
		if c.state.CompareAndSwap(callQueued, callAbandoned) {
			return errClosed // queued after the writer's last look
		}
		return <-c.done
	}
}

func (g *groupCommit) close() {
	if g == nil {
		return
	}
	close(g.stop)
	<-g.done
}

// loop is the writer goroutine: it takes the first waiting call and whatever else is waiting,
// and runs them as a group.
func (g *groupCommit) loop() {
	for {
		select {
		case <-g.stop: // first, however many calls wait
			g.drain()
			close(g.done)
			return
		default:
		}
		select {
		case <-g.stop:
		case c := <-g.calls:
			b := g.gather(c)
			for b != nil {
				b = g.run(b)
			}
		}
	}
}

func (g *groupCommit) gather(first *groupCall) *group {
	b := &group{calls: make([]*groupCall, 1, 8)}
	b.calls[0] = first
	for len(b.calls) < maxGroup {
		select {
		case c := <-g.calls:
			b.calls = append(b.calls, c)
		default:
			return b
		}
	}
	return b
}

// drain answers the calls still queued when the database closes.
func (g *groupCommit) drain() {
	for {
		select {
		case c := <-g.calls:
			if c.state.CompareAndSwap(callQueued, callTaken) {
				c.done <- errClosed
			}
		default:
			return
		}
	}
}

// group is one transaction of the writer and the calls it runs.
type group struct {
	calls []*groupCall
	errs  []error
	ran   []bool // the writer took the call and ran its function (or skipped it, answering errs)
	tx    *txQueries
	next  int  // the call to run next
	taken bool // the calls are taken already (a group run again after a lost transaction)
}

// run begins b's transaction, runs its calls and commits. When a function lost the whole
// transaction (see lost), it returns the group of the other calls, to be run again.
func (g *groupCommit) run(b *group) *group {
	ctx := context.Background() // no caller's: cancelling one must not interrupt the others' work
	if !b.taken {
		live := b.calls[:0]
		for _, c := range b.calls {
			if c.state.CompareAndSwap(callQueued, callTaken) {
				live = append(live, c)
			}
		}
		b.calls, b.taken = live, true
	}
	if len(b.calls) == 0 {
		return nil
	}
	b.errs, b.ran = make([]error, len(b.calls)), make([]bool, len(b.calls))
	sqlTx, err := g.db.write.BeginTx(ctx, nil)
	if err != nil {
		for i := range b.errs {
			b.errs[i] = fmt.Errorf("begin: %w", err)
		}
		g.answer(b)
		return nil
	}
	b.tx = &txQueries{tx: sqlTx, stmts: g.db.writeStmts}
	return g.resume(b)
}

// resume runs b's calls from b.next on, then commits. It is where a new writer goroutine
// carries on when a function ended the last one (runtime.Goexit).
func (g *groupCommit) resume(b *group) *group {
	ctx := context.Background()
	for ; b.next < len(b.calls); b.next++ {
		if !g.runCall(ctx, b) {
			return g.lost(b)
		}
	}
	ok := false
	for i, err := range b.errs {
		ok = ok || (b.ran[i] && err == nil)
	}
	if !ok || (len(b.calls) == 1 && b.errs[0] != nil) {
		_ = b.tx.tx.Rollback()
	} else if err := b.tx.tx.Commit(); err != nil {
		for i := range b.errs {
			if b.errs[i] == nil {
				b.errs[i] = fmt.Errorf("commit: %w", err)
			}
		}
	} else {
		g.db.ckpt.wrote()
	}
	g.answer(b)
	// The writer connection is free again: prepare what the group ran unprepared.
	for _, query := range b.tx.missed {
		g.db.writeStmts.prepare(ctx, query)
	}
	return nil
}

// runCall runs b's next call inside its savepoint (a group of one needs none: its
// transaction is its savepoint). It reports false when the transaction is lost.
func (g *groupCommit) runCall(ctx context.Context, b *group) bool {
	i, c := b.next, b.calls[b.next]
	b.ran[i] = true
	if err := c.ctx.Err(); err != nil {
		b.errs[i] = err
		return true
	}
	single := len(b.calls) == 1
	if !single {
		if _, err := b.tx.ExecContext(ctx, "SAVEPOINT "+savepoint); err != nil {
			b.errs[i] = fmt.Errorf("savepoint: %w", err)
			return false
		}
	}
	g.fnEntry.Store(reflect.ValueOf(c.fn).Pointer())
	b.errs[i] = g.call(b, &tx{db: g.db, ctx: ctx, q: b.tx})
	g.fnEntry.Store(0)
	return single || g.endSavepoint(ctx, b)
}

// endSavepoint releases the current call's savepoint, first rolling back to it when the call
// failed. It reports false when the transaction is lost.
func (g *groupCommit) endSavepoint(ctx context.Context, b *group) bool {
	i := b.next
	if b.errs[i] != nil {
		if _, err := b.tx.ExecContext(ctx, "ROLLBACK TO "+savepoint); err != nil {
			return false
		}
	}
	if _, err := b.tx.ExecContext(ctx, "RELEASE "+savepoint); err != nil {
		if b.errs[i] == nil {
			b.errs[i] = fmt.Errorf("release savepoint: %w", err)
		}
		return false
	}
	return true
}

// lost handles a transaction that SQLite no longer has: some errors (I/O, disk full, out of
// memory) roll back the whole transaction, not the failing statement, and the savepoints with
// it. The current call is answered with its error; the work of the calls before it is gone,
// so they run again in a new transaction with the calls not run yet (a transaction function
// may always be run again).
func (g *groupCommit) lost(b *group) *group {
	_ = b.tx.tx.Rollback()
	again := &group{taken: true}
	for j, c := range b.calls {
		if j == b.next || (b.ran[j] && b.errs[j] != nil) {
			c.done <- b.errs[j] // runCall and endSavepoint leave an error for the current call
			continue
		}
		again.calls = append(again.calls, c)
	}
	return again
}

func (g *groupCommit) answer(b *group) {
	for i, c := range b.calls {
		c.done <- b.errs[i]
	}
}

// call runs a caller's function. A panic becomes that caller's error (its savepoint is rolled
// back, and the writer goes on). runtime.Goexit cannot be stopped: the writer goroutine ends,
// and a new one carries on with the group.
func (g *groupCommit) call(b *group, t *tx) (err error) {
	returned := false
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: transaction function panicked: %v\n%s", p, debug.Stack())
			return
		}
		if !returned {
			g.fnEntry.Store(0)
			b.errs[b.next] = errGoexit
			go func() {
				ctx := context.Background()
				if len(b.calls) > 1 && !g.endSavepoint(ctx, b) {
					b = g.lost(b)
				} else {
					b.next++
					b = g.resume(b)
				}
				for b != nil {
					b = g.run(b)
				}
				g.loop()
			}()
		}
	}()
	err = invoke(b.calls[b.next].fn, t)
	returned = true
	return err
}

// invoke is the one place where the writer calls a transaction function, so a goroutine whose
// stack holds invoke's return address is the writer inside a function (see nested).
//
//go:noinline
func invoke(fn func(chat.Tx) error, t chat.Tx) error { return fn(t) }

// invokeReturn is the return address of invoke's call to fn.
var invokeReturn = func() uintptr {
	var pc [1]uintptr
	_ = invoke(func(chat.Tx) error {
		runtime.Callers(2, pc[:]) // skip runtime.Callers and this function: invoke's frame
		return nil
	}, nil)
	return pc[0]
}()

// nested reports whether the calling goroutine is this database's writer running a
// transaction function, that is whether Tx was called from inside one. Go has no goroutine
// ids, but that goroutine's stack is recognisable: invoke's frame, right under the frame of
// the function the writer runs now. Only calls made while the writer is inside a function pay
// for the stack walk (about a microsecond).
func (g *groupCommit) nested() bool {
	fn := g.fnEntry.Load()
	if fn == 0 {
		return false
	}
	var pcs [64]uintptr
	above := uintptr(0) // the frame called by the one being looked at
	for skip := 2; ; {
		n := runtime.Callers(skip, pcs[:])
		for _, pc := range pcs[:n] {
			if pc == invokeReturn {
				// Some writer inside a function: this one if the function is this writer's.
				f := runtime.FuncForPC(above - 1)
				return f != nil && f.Entry() == fn
			}
			above = pc
		}
		if n < len(pcs) {
			return false
		}
		skip += n
	}
}
