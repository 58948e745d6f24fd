// Package cli is the `baton` command line: serve, and the one-shot commands that manage agents
// and sites in the same database (they work beside a running server).
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/batonchat/baton/server/app"
	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/store"
)

// Env is the outside world of one run: arguments, streams and environment.
type Env struct {
	Args   []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// usageError is a mistake in the command line: reported in one line, exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

const usage = `baton — self-hosted live chat for websites

Usage:
  baton serve [--addr A] [--data DIR | --database-url URL] [--public-url URL]
  baton agent add --email E --name N [--role admin|agent] [--site KEY]...   (password on stdin, or generated)
  baton agent list
  baton agent token --email E [--ttl 24h]
  baton agent password --email E                                          (new password on stdin, or generated)
  baton bot token --site KEY [--ttl 720h]                                   (a realtime bot's token; creates its account)
  baton bot revoke --site KEY                                              (every token of the site's bot stops working)
  baton site add --name N --origin URL... [--key K]
  baton site list
  baton site apply -f FILE
  baton site export KEY
  baton version

Every command that touches the database takes --data DIR or --database-url URL
(or BATON_DATA / BATON_DATABASE_URL). Run "baton serve -h" for all server flags.
`

// Main runs the command line and returns the exit status.
func Main(env Env) int {
	err := run(env)
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(env.Stderr, "baton: %s\n", ue.msg)
		return 2
	}
	var ve *site.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintln(env.Stderr, "baton: the settings are not valid; nothing was changed:")
		for _, p := range ve.Problems {
			fmt.Fprintf(env.Stderr, "  %s\n", p)
		}
		return 1
	}
	fmt.Fprintf(env.Stderr, "baton: %s\n", chatMessage(err))
	return 1
}

func chatMessage(err error) string {
	var ce *chat.Error
	if errors.As(err, &ce) && ce.Code != chat.EInternal {
		return ce.Message
	}
	return err.Error()
}

func run(env Env) error {
	if len(env.Args) < 2 {
		fmt.Fprint(env.Stderr, usage)
		return usagef("a command is required")
	}
	cmd, args := env.Args[1], env.Args[2:]
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub = args[0]
	}
	switch cmd {
	case "serve":
		return serve(env, args)
	case "version", "--version", "-v":
		fmt.Fprintln(env.Stdout, "baton", app.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	case "agent":
		return withDB(env, "agent "+sub, rest(args), map[string]func(*dbCmd) error{
			"add": agentAdd, "list": agentList, "token": agentToken, "password": agentPassword,
		})
	case "bot":
		return withDB(env, "bot "+sub, rest(args), map[string]func(*dbCmd) error{
			"token": botToken, "revoke": botRevoke,
		})
	case "site":
		return withDB(env, "site "+sub, rest(args), map[string]func(*dbCmd) error{
			"add": siteAdd, "list": siteList, "apply": siteApply, "export": siteExport,
		})
	}
	return usagef("unknown command %q (run baton help)", cmd)
}

func rest(args []string) []string {
	if len(args) == 0 {
		return nil
	}
	return args[1:]
}

// newFlags returns a flag set that reports errors in one line instead of printing usage.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parse(fs *flag.FlagSet, args []string, env Env) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(env.Stdout)
			fmt.Fprintf(env.Stdout, "Usage of baton %s:\n", fs.Name())
			fs.PrintDefaults()
			return errHelp
		}
		return usagef("%s: %v (see baton %s -h)", fs.Name(), err, fs.Name())
	}
	return nil
}

var errHelp = errors.New("help")

func serve(env Env, args []string) error {
	cfg := app.Defaults()
	if err := cfg.FromEnv(env.Getenv); err != nil {
		return usagef("%v", err)
	}
	fs := newFlags("serve")
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (BATON_ADDR)")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory: the SQLite database and uploaded files (BATON_DATA)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "postgres:// URL: use PostgreSQL instead of SQLite (BATON_DATABASE_URL)")
	fs.StringVar(&cfg.PublicURL, "public-url", cfg.PublicURL, "URL browsers use to reach Baton (BATON_PUBLIC_URL); default http://ADDR")
	fs.StringVar(&cfg.SQLiteSync, "sqlite-sync", cfg.SQLiteSync, "SQLite durability: normal or full (BATON_SQLITE_SYNC)")
	fs.BoolVar(&cfg.BotAllowPrivate, "bot-allow-private", cfg.BotAllowPrivate, "let webhook bots reach loopback and private addresses (BATON_BOT_ALLOW_PRIVATE)")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error (BATON_LOG_LEVEL)")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "json or text (BATON_LOG_FORMAT); default json unless stderr is a terminal")
	if err := parse(fs, args, env); err != nil {
		if errors.Is(err, errHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.Check(); err != nil {
		return usagef("serve: %v", err)
	}
	log := app.NewLogger(&cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := app.New(ctx, cfg, log, env.Stdout)
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}

// dbCmd is a one-shot command on the database. A subcommand declares its flags on fs, then
// calls open, which parses the command line and opens the database.
type dbCmd struct {
	env  Env
	fs   *flag.FlagSet
	args []string
	pos  []string // positional arguments, wherever they stand among the flags
	cfg  app.Config
	db   *store.DB
	ctx  context.Context
}

func (c *dbCmd) open() error {
	for rest := c.args; ; {
		if err := parse(c.fs, rest, c.env); err != nil {
			return err
		}
		if c.fs.NArg() == 0 {
			break
		}
		c.pos = append(c.pos, c.fs.Arg(0))
		rest = c.fs.Args()[1:]
	}
	if err := c.cfg.Check(); err != nil {
		return usagef("%s: %v", c.fs.Name(), err)
	}
	db, err := app.OpenStore(c.ctx, &c.cfg)
	if err != nil {
		return err
	}
	c.db = db
	return nil
}

func withDB(env Env, name string, args []string, cmds map[string]func(*dbCmd) error) error {
	group, sub, _ := strings.Cut(name, " ")
	fn := cmds[sub]
	if fn == nil {
		names := make([]string, 0, len(cmds))
		for k := range cmds {
			names = append(names, k)
		}
		sort.Strings(names)
		return usagef("%s: unknown subcommand %q (one of: %s)", group, sub, strings.Join(names, ", "))
	}
	c := &dbCmd{env: env, fs: newFlags(name), args: args, cfg: app.Defaults(), ctx: context.Background()}
	if err := c.cfg.FromEnv(env.Getenv); err != nil {
		return usagef("%v", err)
	}
	c.fs.StringVar(&c.cfg.DataDir, "data", c.cfg.DataDir, "data directory (BATON_DATA)")
	c.fs.StringVar(&c.cfg.DatabaseURL, "database-url", c.cfg.DatabaseURL, "postgres:// URL (BATON_DATABASE_URL)")
	err := fn(c)
	if c.db != nil {
		c.db.Close()
	}
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// readSecret reads a password from stdin when something is piped in; otherwise it generates one.
func readSecret(env Env) (pw string, generated bool, err error) {
	if f, ok := env.Stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return auth.RandomPassword(), true, nil
		}
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read password: %w", err)
	}
	if line = strings.TrimRight(line, "\r\n"); line == "" {
		return auth.RandomPassword(), true, nil
	}
	return line, false, nil
}

func agentAdd(c *dbCmd) error {
	email := c.fs.String("email", "", "the agent's email (their sign-in)")
	name := c.fs.String("name", "", "the agent's display name")
	role := c.fs.String("role", "agent", "admin or agent")
	var sites stringList
	c.fs.Var(&sites, "site", "site key the agent answers for (repeatable; default: the only site)")
	if err := c.open(); err != nil {
		return err
	}
	*email = strings.ToLower(strings.TrimSpace(*email))
	switch {
	case *email == "" || !strings.Contains(*email, "@"):
		return usagef("agent add: --email is required and must be an email address")
	case strings.TrimSpace(*name) == "":
		return usagef("agent add: --name is required")
	case !chat.Role(*role).Valid():
		return usagef("agent add: --role %q: want admin or agent", *role)
	}
	ids, err := siteIDs(c, sites, chat.Role(*role))
	if err != nil {
		return err
	}
	pw, generated, err := readSecret(c.env)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	a := &chat.Agent{ID: chat.NewID("ag"), Email: *email, Name: strings.TrimSpace(*name), Role: chat.Role(*role), PasswordHash: hash, SiteIDs: ids}
	if err := c.db.CreateAgent(c.ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "added %s %s (%s)\n", a.Role, a.Email, a.ID)
	if generated {
		fmt.Fprintf(c.env.Stdout, "password: %s\n", pw)
	}
	return nil
}

func siteIDs(c *dbCmd, keys []string, role chat.Role) ([]string, error) {
	if len(keys) == 0 {
		if role == chat.RoleAdmin {
			return nil, nil // admins see every site
		}
		all, err := c.db.Sites(c.ctx)
		if err != nil {
			return nil, err
		}
		if len(all) != 1 {
			return nil, usagef("agent add: --site is required when there are %d sites", len(all))
		}
		return []string{all[0].ID}, nil
	}
	var ids []string
	for _, k := range keys {
		s, err := c.db.SiteByKey(c.ctx, k)
		if errors.Is(err, chat.ErrNotFound) {
			return nil, usagef("--site %q: no such site (see baton site list)", k)
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, s.ID)
	}
	return ids, nil
}

func agentList(c *dbCmd) error {
	if err := c.open(); err != nil {
		return err
	}
	agents, err := c.db.Agents(c.ctx)
	if err != nil {
		return err
	}
	sites, err := c.db.Sites(c.ctx)
	if err != nil {
		return err
	}
	keys := map[string]string{}
	for _, s := range sites {
		keys[s.ID] = s.Key
	}
	w := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "EMAIL\tNAME\tROLE\tSITES\tID")
	for _, a := range agents {
		var ks []string
		for _, id := range a.SiteIDs {
			ks = append(ks, keys[id])
		}
		if a.Role == chat.RoleAdmin {
			ks = []string{"(all)"}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", a.Email, a.Name, a.Role, strings.Join(ks, ","), a.ID)
	}
	return w.Flush()
}

func agentToken(c *dbCmd) error {
	email := c.fs.String("email", "", "the agent's email")
	ttl := c.fs.Duration("ttl", 24*time.Hour, "how long the token is valid (e.g. 1h, 720h)")
	if err := c.open(); err != nil {
		return err
	}
	if err := checkTTL("agent token", *ttl); err != nil {
		return err
	}
	a, err := c.db.AgentByEmail(c.ctx, strings.ToLower(strings.TrimSpace(*email)))
	if errors.Is(err, chat.ErrNotFound) {
		return usagef("agent token: no agent with email %q (see baton agent list)", *email)
	}
	if err != nil {
		return err
	}
	return c.printToken(a, *ttl)
}

func checkTTL(cmd string, ttl time.Duration) error {
	if ttl <= 0 || ttl > 5*365*24*time.Hour {
		return usagef("%s: --ttl must be between 1s and 5 years", cmd)
	}
	return nil
}

// printToken signs a token for an agent (or bot) account and prints it alone on a line, for scripts.
func (c *dbCmd) printToken(a *chat.Agent, ttl time.Duration) error {
	signer, err := app.Signer(c.ctx, c.db)
	if err != nil {
		return err
	}
	tok, _, err := signer.AgentToken(a, ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.env.Stdout, tok)
	return nil
}

func agentPassword(c *dbCmd) error {
	email := c.fs.String("email", "", "the agent's email")
	if err := c.open(); err != nil {
		return err
	}
	a, err := c.db.AgentByEmail(c.ctx, strings.ToLower(strings.TrimSpace(*email)))
	if errors.Is(err, chat.ErrNotFound) {
		return usagef("agent password: no agent with email %q", *email)
	}
	if err != nil {
		return err
	}
	pw, generated, err := readSecret(c.env)
	if err != nil {
		return err
	}
	if a.PasswordHash, err = auth.HashPassword(pw); err != nil {
		return err
	}
	a.TokenVersion++ // signs out every session and token issued before
	if err := c.db.UpdateAgent(c.ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "password changed for %s; their earlier tokens no longer work\n", a.Email)
	if generated {
		fmt.Fprintf(c.env.Stdout, "password: %s\n", pw)
	}
	return nil
}

func siteAdd(c *dbCmd) error {
	name := c.fs.String("name", "", "the site's name, shown in the widget")
	key := c.fs.String("key", "", "the public site key (default: made from the name)")
	var origins stringList
	c.fs.Var(&origins, "origin", "an origin allowed to embed the widget, like https://shop.example.com (repeatable)")
	if err := c.open(); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		return usagef("site add: --name is required")
	}
	if len(origins) == 0 {
		return usagef("site add: at least one --origin is required (the site's own address)")
	}
	k := *key
	if k == "" {
		k = slug(*name)
	}
	if _, err := c.db.SiteByKey(c.ctx, k); err == nil {
		return usagef("site add: a site with key %q exists (choose one with --key)", k)
	}
	st := site.Default(k, strings.TrimSpace(*name), origins)
	s, _, err := site.Apply(c.ctx, c.db, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "site key:        %s\nidentity secret: %s\n", s.Key, s.IdentitySecret)
	return nil
}

func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 40 {
		s = strings.Trim(s[:40], "-")
	}
	if len(s) < 2 {
		s = "site-" + strings.ToLower(chat.NewID("x")[len(chat.NewID("x"))-6:])
	}
	return s
}

func siteList(c *dbCmd) error {
	if err := c.open(); err != nil {
		return err
	}
	sites, err := c.db.Sites(c.ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KEY\tNAME\tORIGINS")
	for _, s := range sites {
		st, err := site.ParseJSON(s.Settings)
		origins := ""
		if err == nil {
			origins = strings.Join(st.AllowedOrigins, " ")
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", s.Key, s.Name, origins)
	}
	return w.Flush()
}

func siteApply(c *dbCmd) error {
	file := c.fs.String("f", "", "the settings file (YAML), or - for stdin")
	if err := c.open(); err != nil {
		return err
	}
	if *file == "" {
		return usagef("site apply: -f FILE is required")
	}
	var (
		b   []byte
		err error
	)
	if *file == "-" {
		b, err = io.ReadAll(io.LimitReader(c.env.Stdin, 1<<20))
	} else {
		b, err = os.ReadFile(*file)
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", *file, err)
	}
	st, err := site.ParseYAML(b)
	if err != nil {
		return err
	}
	s, created, err := site.Apply(c.ctx, c.db, st)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(c.env.Stdout, "created site %s\nidentity secret: %s\n", s.Key, s.IdentitySecret)
	} else {
		fmt.Fprintf(c.env.Stdout, "updated site %s\n", s.Key)
	}
	return nil
}

func siteExport(c *dbCmd) error {
	if err := c.open(); err != nil {
		return err
	}
	if len(c.pos) != 1 {
		return usagef("site export: give one site key (see baton site list)")
	}
	s, err := c.db.SiteByKey(c.ctx, c.pos[0])
	if errors.Is(err, chat.ErrNotFound) {
		return usagef("site export: no site with key %q", c.pos[0])
	}
	if err != nil {
		return err
	}
	st, err := site.ParseJSON(s.Settings)
	if err != nil {
		return err
	}
	y, err := st.YAML()
	if err != nil {
		return err
	}
	_, err = c.env.Stdout.Write(y)
	return err
}

// botEmail names a site's realtime bot account: agents need a unique email, and .invalid
// never delivers mail.
func botEmail(key string) string { return "bot+" + key + "@bots.baton.invalid" }

// siteBot returns the site's bot account, creating it when create is set.
func siteBot(c *dbCmd, key string, create bool) (*chat.Agent, error) {
	if key == "" {
		return nil, usagef("%s: --site is required (see baton site list)", c.fs.Name())
	}
	s, err := c.db.SiteByKey(c.ctx, key)
	if errors.Is(err, chat.ErrNotFound) {
		return nil, usagef("%s: no site with key %q (see baton site list)", c.fs.Name(), key)
	}
	if err != nil {
		return nil, err
	}
	a, err := c.db.AgentByEmail(c.ctx, botEmail(key))
	if err == nil || !errors.Is(err, chat.ErrNotFound) || !create {
		if errors.Is(err, chat.ErrNotFound) {
			return nil, usagef("%s: site %s has no bot account yet (baton bot token --site %s makes one)", c.fs.Name(), key, key)
		}
		return a, err
	}
	name := s.Name + " bot"
	if st, err := site.ParseJSON(s.Settings); err == nil && st.Bot != nil && st.Bot.Name != "" {
		name = st.Bot.Name
	}
	// A bot never signs in: "!" is no bcrypt hash, so no password matches it.
	a = &chat.Agent{ID: chat.NewID("ag"), Email: botEmail(key), Name: name, Role: chat.RoleBot, PasswordHash: "!", SiteIDs: []string{s.ID}}
	if err := c.db.CreateAgent(c.ctx, a); err != nil {
		return nil, err
	}
	fmt.Fprintf(c.env.Stderr, "created the bot account of site %s (%s)\n", key, a.ID)
	return a, nil
}

func botToken(c *dbCmd) error {
	key := c.fs.String("site", "", "the site key whose realtime bot this is")
	ttl := c.fs.Duration("ttl", 30*24*time.Hour, "how long the token is valid (e.g. 720h)")
	if err := c.open(); err != nil {
		return err
	}
	if err := checkTTL("bot token", *ttl); err != nil {
		return err
	}
	a, err := siteBot(c, *key, true)
	if err != nil {
		return err
	}
	return c.printToken(a, *ttl)
}

func botRevoke(c *dbCmd) error {
	key := c.fs.String("site", "", "the site key whose bot tokens to revoke")
	if err := c.open(); err != nil {
		return err
	}
	a, err := siteBot(c, *key, false)
	if err != nil {
		return err
	}
	a.TokenVersion++
	if err := c.db.UpdateAgent(c.ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "revoked every token of the bot of site %s\n", *key)
	return nil
}
