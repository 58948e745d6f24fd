package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
)

func TestBlockedAddresses(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1":        true,
		"127.1.2.3":        true,
		"::1":              true,
		"::ffff:127.0.0.1": true, // IPv4-mapped loopback
		"0.0.0.0":          true,
		"::":               true,
		"10.1.2.3":         true,
		"172.16.0.1":       true,
		"172.31.255.255":   true,
		"192.168.1.1":      true,
		"100.64.0.1":       true, // carrier-grade NAT
		"169.254.169.254":  true, // cloud metadata
		"169.254.1.1":      true,
		"fe80::1":          true,
		"fd00:ec2::254":    true,
		"fc00::1":          true,
		"224.0.0.1":        true,
		"ff02::1":          true,
		"255.255.255.255":  true,
		"64:ff9b::a00:1":   true, // NAT64 of 10.0.0.1
		"8.8.8.8":          false,
		"1.1.1.1":          false,
		"172.32.0.1":       false,
		"100.128.0.1":      false,
		"2606:4700::1111":  false,
		"::ffff:8.8.8.8":   false,
	} {
		if got := blocked(netip.MustParseAddr(addr)); got != want {
			t.Errorf("%s: blocked=%v, want %v", addr, got, want)
		}
	}
}

func TestClientRefusesLoopbackUnlessAllowed(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, err := NewClient(false).Get(srv.URL)
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("got %v", err)
	}
	// A name that resolves to loopback is refused the same way: the check is on the address dialled.
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	_, err = NewClient(false).Get("http://localhost:" + port)
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("localhost: got %v", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server was reached %d times", n)
	}
	resp, err := NewClient(true).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := hits.Load(); n != 1 {
		t.Fatalf("allowed client: %d hits", n)
	}
}

// Every connection goes through the dialer's check, so a redirect to a refused address is
// refused too. 127.0.0.1 stands for an allowed public address, 127.0.0.2 for a refused one.
func TestRedirectToARefusedAddressIsRefused(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 on this machine: %v", err)
	}
	var reached atomic.Bool
	internal := &httptest.Server{Listener: inner, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Store(true)
	})}}
	internal.Start()
	defer internal.Close()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/latest/meta-data/", http.StatusTemporaryRedirect)
	}))
	defer front.Close()
	refuse := func(ip netip.Addr) bool { return ip == netip.MustParseAddr("127.0.0.2") }
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, front.URL, nil)
	_, err = newClient(refuse).Do(req)
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("got %v", err)
	}
	if reached.Load() {
		t.Fatal("the refused address was reached through the redirect")
	}
}

func TestRedirectsAreLimited(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path+"x", http.StatusFound)
	}))
	defer srv.Close()
	_, err := NewClient(true).Get(srv.URL + "/")
	if err == nil {
		t.Fatal("followed redirects forever")
	}
}
