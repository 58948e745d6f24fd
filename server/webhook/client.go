package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// blockedPrefixes are address ranges a site's webhook must not reach: a bot URL is written by a
// site owner, and Baton must not become their way into the operator's own network or the
// cloud's metadata service. Checked on the address actually dialled, after DNS, so a name that
// resolves to an internal address (or a redirect to one) is refused as well.
var blockedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",         // "this network"; 0.0.0.0 reaches the local host
		"10.0.0.0/8",        // private
		"100.64.0.0/10",     // carrier-grade NAT
		"127.0.0.0/8",       // loopback
		"169.254.0.0/16",    // link-local, including the 169.254.169.254 metadata service
		"172.16.0.0/12",     // private
		"192.0.0.0/24",      // IETF protocol assignments
		"192.168.0.0/16",    // private
		"198.18.0.0/15",     // benchmarking
		"224.0.0.0/4",       // multicast
		"240.0.0.0/4",       // reserved, and 255.255.255.255 broadcast
		"::/128",            // unspecified
		"::1/128",           // loopback
		"64:ff9b::/96",      // NAT64: would embed any IPv4 address
		"64:ff9b:1::/48",    // local-use NAT64
		"fc00::/7",          // unique local
		"fe80::/10",         // link-local
		"ff00::/8",          // multicast
		"2001:db8::/32",     // documentation
		"fd00:ec2::254/128", // AWS metadata over IPv6 (inside fc00::/7 already; named for the reader)
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// ErrBlockedAddress is returned when a webhook URL leads to an address Baton refuses to reach.
var ErrBlockedAddress = errors.New("address not allowed: loopback, private, link-local and metadata addresses are refused (BATON_BOT_ALLOW_PRIVATE=1 allows them)")

// blocked reports whether ip is in a range a webhook must not reach.
func blocked(ip netip.Addr) bool {
	ip = ip.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// guard returns a net.Dialer Control function: it runs after name resolution, for every
// address dialled (redirects and retries included), and refuses those refuse reports.
func guard(refuse func(netip.Addr) bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("webhook dial %s: %w", address, err)
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("webhook dial %s: %w", address, err)
		}
		if refuse(ip) {
			return fmt.Errorf("webhook dial %s: %w", address, ErrBlockedAddress)
		}
		return nil
	}
}

// maxRedirects bounds how far a webhook may send Baton; each hop is dialled through the guard.
const maxRedirects = 3

// NewClient returns the HTTP client for calls to owners' endpoints (bot webhooks, handoff
// deliveries). Unless allowPrivate is set (the operator's BATON_BOT_ALLOW_PRIVATE), it refuses
// to connect to loopback, private, link-local, CGNAT, multicast and metadata addresses. No proxy
// from the environment is used: a proxy would dial the target itself, out of the guard's sight.
func NewClient(allowPrivate bool) *http.Client {
	if allowPrivate {
		return newClient(nil)
	}
	return newClient(blocked)
}

// newClient refuses to dial the addresses refuse reports (nil: none).
func newClient(refuse func(netip.Addr) bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if refuse != nil {
		d.Control = guard(refuse)
	}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    10,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    5 * time.Second,
		ResponseHeaderTimeout:  60 * time.Second, // the request's context carries the real deadline
		MaxResponseHeaderBytes: 16 << 10,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("webhook: more than %d redirects", maxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("webhook: redirect to %s is not http(s)", req.URL.Scheme)
			}
			return nil
		},
	}
}
