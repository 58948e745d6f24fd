// Package attachment keeps the files visitors and agents send with their messages. It decides
// what a file is from its bytes (never from the client's Content-Type), keeps it under the data
// directory (written to a temporary file, synced, then renamed into place, under a name Baton
// chose), and hands it back for download. Uploads never sent are pruned after a day.
package attachment

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/batonchat/baton/server/chat"
)

// Store is what the package needs of the database (implemented by *store.DB).
type Store interface {
	CreateAttachment(ctx context.Context, a *chat.Attachment) error
	Attachment(ctx context.Context, id string) (*chat.Attachment, error)
	// UnboundAttachments lists uploads never sent, made before a time, oldest first.
	UnboundAttachments(ctx context.Context, before time.Time, limit int) ([]*chat.Attachment, error)
	// DeleteUnboundAttachment deletes an upload's record unless a send bound it meanwhile.
	DeleteUnboundAttachment(ctx context.Context, id string) (bool, error)
}

// Defaults of Options.
const (
	// DefaultMaxBytes is the largest file accepted: enough for phone photos, PDFs and office
	// documents, small enough that a few uploads cannot fill a small server's disk in minutes.
	DefaultMaxBytes = 10 << 20
	// UnboundTTL is how long an upload may wait to be sent before it is pruned.
	UnboundTTL = 24 * time.Hour
	// pruneEvery spaces the prunes that uploads trigger.
	pruneEvery = 10 * time.Minute
	// pruneBatch bounds one prune, so that the upload that triggers it stays quick.
	pruneBatch = 200
)

// Options configure a Service.
type Options struct {
	Store    Store
	Dir      string // where files live: DATA/attachments
	MaxBytes int64  // largest file accepted; 0: DefaultMaxBytes
	Now      func() time.Time
	Log      *slog.Logger
}

// Service stores and serves attachments.
type Service struct {
	o Options

	mu       sync.Mutex
	prunedAt time.Time
}

// New returns a Service, creating its directory (readable by Baton's user only).
func New(o Options) (*Service, error) {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("attachments directory: %w", err)
	}
	return &Service{o: o}, nil
}

// MaxBytes is the largest file accepted.
func (s *Service) MaxBytes() int64 { return s.o.MaxBytes }

// Upload is a file on its way in.
type Upload struct {
	SiteID         string
	ConversationID string // empty for a visitor without a conversation yet
	UploaderType   chat.AuthorType
	UploaderID     string
	Name           string    // as the client gave it; sanitised here
	Body           io.Reader // the bytes; read until EOF or one byte past MaxBytes
}

// Save checks and stores an upload: a refused file (its kind, its name, its size) is an error
// that says why, and leaves nothing behind.
func (s *Service) Save(ctx context.Context, u Upload) (*chat.Attachment, error) {
	s.maybePrune(ctx)
	name := SafeName(u.Name)
	if err := checkName(name); err != nil {
		return nil, err
	}
	head := make([]byte, SniffBytes)
	n, err := io.ReadFull(u.Body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	ct, err := Classify(name, head)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Join(s.o.Dir, "tmp"), "upload-*")
	if err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	sum := sha256.New()
	w := io.MultiWriter(tmp, sum)
	if _, err := w.Write(head); err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	rest, err := io.Copy(w, io.LimitReader(u.Body, s.o.MaxBytes-int64(n)+1))
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	size := int64(n) + rest
	if size > s.o.MaxBytes {
		return nil, chat.Errorf(chat.ETooLarge, "file: is larger than %s", humanBytes(s.o.MaxBytes))
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	a := &chat.Attachment{ID: chat.NewID("at"), SiteID: u.SiteID, ConversationID: u.ConversationID, UploaderType: u.UploaderType,
		UploaderID: u.UploaderID, Name: name, ContentType: ct, Size: size, SHA256: hex.EncodeToString(sum.Sum(nil)),
		Secret: newSecret(), CreatedAt: s.o.Now()}
	final := s.path(a.ID)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	keep = true
	syncDir(filepath.Dir(final))
	if err := s.o.Store.CreateAttachment(ctx, a); err != nil {
		os.Remove(final)
		return nil, err
	}
	return a, nil
}

var idPattern = regexp.MustCompile(`^at_[0-9a-f]{32}$`)

// path is where an attachment's bytes live: DIR/<last two hex digits of the id>/<id>. The id is
// Baton's own (checked against its pattern), never a name from the client.
func (s *Service) path(id string) string {
	return filepath.Join(s.o.Dir, id[len(id)-2:], id)
}

// Open returns an attachment and its bytes when secret is the one in its download URL; any
// other id or secret is not_found, so the answer says nothing about which was wrong.
func (s *Service) Open(ctx context.Context, id, secret string) (*chat.Attachment, *os.File, error) {
	if !idPattern.MatchString(id) {
		return nil, nil, chat.ErrNotFound
	}
	a, err := s.o.Store.Attachment(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if subtle.ConstantTimeCompare([]byte(a.Secret), []byte(secret)) != 1 {
		return nil, nil, chat.ErrNotFound
	}
	f, err := os.Open(s.path(a.ID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, &chat.Error{Code: chat.ENotFound, Message: "the file is no longer stored", Err: err}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open attachment: %w", err)
	}
	return a, f, nil
}

// maybePrune prunes at most every pruneEvery, on the upload that comes then: storage grows only
// with uploads, so uploads are what keep it in check.
func (s *Service) maybePrune(ctx context.Context) {
	s.mu.Lock()
	now := s.o.Now()
	due := now.Sub(s.prunedAt) >= pruneEvery
	if due {
		s.prunedAt = now
	}
	s.mu.Unlock()
	if !due {
		return
	}
	if n, err := s.Prune(ctx); err != nil {
		s.o.Log.Warn("attachments: prune", "err", err)
	} else if n > 0 {
		s.o.Log.Info("attachments: pruned uploads never sent", "count", n)
	}
}

// Prune deletes up to one batch of uploads that were never sent within UnboundTTL, and
// temporary files that old (left by a crash mid-upload). It returns how many uploads it deleted.
func (s *Service) Prune(ctx context.Context) (int, error) {
	cutoff := s.o.Now().Add(-UnboundTTL)
	list, err := s.o.Store.UnboundAttachments(ctx, cutoff, pruneBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range list {
		ok, err := s.o.Store.DeleteUnboundAttachment(ctx, a.ID)
		if err != nil {
			return n, err
		}
		if ok {
			n++
			if err := os.Remove(s.path(a.ID)); err != nil && !errors.Is(err, os.ErrNotExist) {
				s.o.Log.Warn("attachments: remove pruned file", "id", a.ID, "err", err)
			}
		}
	}
	tmps, _ := os.ReadDir(filepath.Join(s.o.Dir, "tmp"))
	for i, e := range tmps {
		if i >= pruneBatch {
			break
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(s.o.Dir, "tmp", e.Name()))
		}
	}
	return n, nil
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// syncDir makes a rename durable; where directories cannot be synced, it does nothing.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
