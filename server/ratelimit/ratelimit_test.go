package ratelimit

import (
	"testing"
	"time"
)

func TestBucketRefillsAndKeysAreIndependent(t *testing.T) {
	now := time.Unix(0, 0)
	l := New(Limit{PerMinute: 60, Burst: 2}, func() time.Time { return now })
	for i := 0; i < 2; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("burst request %d refused", i)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("third request: ok=%v wait=%v, want refused with wait ≤ 1s", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("bucket did not refill after a second")
	}
}

func TestIdleBucketsAreForgotten(t *testing.T) {
	now := time.Unix(0, 0)
	l := New(Limit{PerMinute: 60, Burst: 5}, func() time.Time { return now })
	l.Allow("a")
	now = now.Add(2 * time.Minute)
	l.Allow("b")
	if l.Len() != 1 {
		t.Fatalf("%d buckets kept, want 1", l.Len())
	}
}

func TestZeroLimitIsUnlimited(t *testing.T) {
	l := New(Limit{}, nil)
	for i := 0; i < 1000; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatal("refused")
		}
	}
}
