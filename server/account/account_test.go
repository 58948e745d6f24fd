package account_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonchat/baton/server/account"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

// clock is moved by hand; closer records what was closed.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type closer struct {
	mu     sync.Mutex
	closed []string // "agent/session", session "" for all
}

func (c *closer) CloseSessions(agentID, sessionID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = append(c.closed, agentID+"/"+sessionID)
}

func setup(t *testing.T, db *store.DB) (*account.Service, *clock, *closer, *chat.Agent) {
	t.Helper()
	a := &chat.Agent{ID: chat.NewID("ag"), Email: "alice@example.com", Name: "Alice", Role: chat.RoleAgent}
	if err := db.CreateAgent(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	clk, cl := &clock{t: time.Unix(1_800_000_000, 0)}, &closer{}
	return account.New(account.Options{Store: db, Closer: cl, Now: clk.now}), clk, cl, a
}

func code(err error) chat.Code {
	var e *chat.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestASessionSlidesWithUseButNeverPastTheHardMaximum(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, clk, _, a := setup(t, db)
		secret, sess, err := svc.Start(ctx, a, "Mozilla/5.0 "+strings.Repeat("x", 400), "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if len(sess.UserAgent) > 300 || sess.IP != "10.0.0.1" {
			t.Errorf("session %+v", sess)
		}
		hard := svc.HardExpiry(sess)
		// Used every 20 hours: alive until the week is over, whatever the use.
		for i := 0; i < 20 && clk.t.Add(20*time.Hour).Before(hard); i++ {
			clk.t = clk.t.Add(20 * time.Hour)
			got, _, err := svc.Check(ctx, secret)
			if err != nil {
				t.Fatalf("use %d at +%s: %v", i, clk.t.Sub(sess.CreatedAt), err)
			}
			if got.ExpiresAt.After(hard) {
				t.Fatalf("expiry %s past the hard maximum %s", got.ExpiresAt, hard)
			}
		}
		clk.t = hard
		if _, _, err := svc.Check(ctx, secret); code(err) != chat.EUnauthorized || !strings.Contains(err.Error(), "expired") {
			t.Errorf("at the hard maximum: %v", err)
		}
	})
}

func TestAnIdleSessionEndsAndAPasswordChangeRevokesIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, clk, _, a := setup(t, db)
		idle, _, err := svc.Start(ctx, a, "", "")
		if err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(account.DefaultIdle)
		if _, _, err := svc.Check(ctx, idle); code(err) != chat.EUnauthorized {
			t.Errorf("after a day unused: %v", err)
		}
		live, _, err := svc.Start(ctx, a, "", "")
		if err != nil {
			t.Fatal(err)
		}
		a.TokenVersion++
		if err := db.UpdateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Check(ctx, live); code(err) != chat.EUnauthorized || !strings.Contains(err.Error(), "revoked") {
			t.Errorf("after a password change: %v", err)
		}
		if list, err := svc.List(ctx, a.ID); err != nil || len(list) != 0 {
			t.Errorf("sessions left: %v %v", list, err)
		}
	})
}

func TestEndingASessionClosesOnlyItsConnections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _, cl, a := setup(t, db)
		one, s1, _ := svc.Start(ctx, a, "", "")
		two, _, _ := svc.Start(ctx, a, "", "")
		if err := svc.End(ctx, "ag_someone_else", s1.ID); !errors.Is(err, chat.ErrNotFound) {
			t.Errorf("another agent ending it: %v", err)
		}
		if err := svc.End(ctx, a.ID, s1.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Check(ctx, one); err == nil {
			t.Error("the ended session still works")
		}
		if _, _, err := svc.Check(ctx, two); err != nil {
			t.Errorf("the other session ended too: %v", err)
		}
		if err := svc.EndAll(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Check(ctx, two); err == nil {
			t.Error("a session survived EndAll")
		}
		if got := strings.Join(cl.closed, ","); got != a.ID+"/"+s1.ID+","+a.ID+"/" {
			t.Errorf("closed %s", got)
		}
	})
}

func TestAPasswordLinkWorksOnceUntilReplacedOrExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, clk, cl, a := setup(t, db)
		sessionSecret, _, _ := svc.Start(ctx, a, "", "")
		old, _, err := svc.IssueLink(ctx, a.ID, chat.LinkInvite)
		if err != nil {
			t.Fatal(err)
		}
		tok, exp, err := svc.IssueLink(ctx, a.ID, chat.LinkReset)
		if err != nil {
			t.Fatal(err)
		}
		if exp.Sub(clk.t) != account.LinkTTL {
			t.Errorf("link valid until %s", exp)
		}
		if _, err := svc.Redeem(ctx, old, "a good password"); code(err) != chat.EInvalid {
			t.Errorf("the replaced link: %v", err)
		}
		if _, err := svc.Redeem(ctx, tok, "short"); code(err) != chat.EInvalid || !strings.HasPrefix(err.(*chat.Error).Message, "password:") {
			t.Errorf("a short password: %v", err)
		}
		got, err := svc.Redeem(ctx, tok, "a good password")
		if err != nil || got.ID != a.ID || got.TokenVersion != a.TokenVersion+1 {
			t.Fatalf("redeem: %+v %v", got, err)
		}
		if _, _, err := svc.Check(ctx, sessionSecret); err == nil {
			t.Error("a session from before the new password still works")
		}
		if len(cl.closed) != 1 || cl.closed[0] != a.ID+"/" {
			t.Errorf("closed %v", cl.closed)
		}
		if _, err := svc.Redeem(ctx, tok, "another password"); code(err) != chat.EInvalid {
			t.Errorf("the link used twice: %v", err)
		}
		late, _, _ := svc.IssueLink(ctx, a.ID, chat.LinkReset)
		clk.t = clk.t.Add(account.LinkTTL)
		if _, err := svc.Redeem(ctx, late, "a good password"); code(err) != chat.EInvalid || !strings.Contains(err.Error(), "expired") {
			t.Errorf("an expired link: %v", err)
		}
	})
}
