package topology

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresBin is where Debian keeps the server's programs.
var PostgresBin = "/usr/lib/postgresql/15/bin"

// superuser is the cluster's own superuser, for the harness alone.
const superuser, superPassword = "postgres", "topology-superuser"

// Postgres is a Postgres server the topology owns: its own data directory
// and port, so that killing it touches nothing else on the machine.
type Postgres struct {
	*Process
	Port int
}

// startPostgres creates a cluster in dir, unless there is one, and starts it.
// Postgres refuses to run as root, so under root it runs as the postgres
// user the Debian package creates.
func startPostgres(ctx context.Context, dir string, port int) (*Postgres, error) {
	data := filepath.Join(dir, "postgres")
	cred, err := postgresCredential()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := initdb(ctx, dir, data, cred); err != nil {
			return nil, err
		}
	}
	pg := &Postgres{Port: port}
	pg.Process = newProcess(dir, "postgres", filepath.Join(PostgresBin, "postgres"), []string{
		"-D", data, "-p", strconv.Itoa(port), "-k", data, "-c", "listen_addresses=127.0.0.1",
		// Five billgate processes and a Temporal server per stack, several
		// stacks at a time in the tests.
		"-c", "max_connections=1000", "-c", "shared_buffers=256MB",
	}, nil)
	pg.cred = cred
	if err := pg.Start(ctx); err != nil {
		return nil, err
	}
	return pg, nil
}

// Start starts the server and waits until it takes connections: after a
// kill, that is after its crash recovery.
func (pg *Postgres) Start(ctx context.Context) error {
	if err := pg.Process.Start(); err != nil {
		return err
	}
	return waitUntil(ctx, pg.Process, 2*time.Minute, func(ctx context.Context) error {
		conn, err := pgx.Connect(ctx, pg.DSN(superuser, superPassword, "postgres"))
		if err != nil {
			return err
		}
		return conn.Close(ctx)
	})
}

func initdb(ctx context.Context, dir, data string, cred *syscall.Credential) error {
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	pwfile := filepath.Join(dir, "postgres.pw")
	if err := os.WriteFile(pwfile, []byte(superPassword), 0o600); err != nil {
		return err
	}
	defer os.Remove(pwfile)
	if cred != nil {
		for _, path := range []string{data, pwfile} {
			if err := os.Chown(path, int(cred.Uid), int(cred.Gid)); err != nil {
				return err
			}
		}
	}
	return run(ctx, filepath.Join(dir, "postgres.log"), cred, nil, filepath.Join(PostgresBin, "initdb"),
		"-D", data, "-U", superuser, "--pwfile", pwfile, "--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C.UTF-8")
}

// postgresCredential is whom Postgres runs as: this user, or postgres
// under root.
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("postgres refuses to run as root, and there is no postgres user to run it as: %w", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// DSN is the URL of database db as user.
func (pg *Postgres) DSN(user, password, db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password), Host: "127.0.0.1:" + strconv.Itoa(pg.Port), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// CreateRole creates a login role, unless it exists.
func (pg *Postgres) CreateRole(ctx context.Context, name, password string, createdb bool) error {
	option := ""
	if createdb {
		option = " CREATEDB"
	}
	return pg.exec(ctx, "postgres", func(conn *pgx.Conn) error {
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)", name).Scan(&exists); err != nil || exists {
			return err
		}
		_, err := conn.Exec(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD %s%s", pgx.Identifier{name}.Sanitize(), quote(password), option))
		return err
	})
}

// CreateDatabase creates database name owned by owner, unless it exists.
func (pg *Postgres) CreateDatabase(ctx context.Context, name, owner string) error {
	return pg.exec(ctx, "postgres", func(conn *pgx.Conn) error {
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil || exists {
			return err
		}
		_, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s OWNER %s", pgx.Identifier{name}.Sanitize(), pgx.Identifier{owner}.Sanitize()))
		return err
	})
}

func (pg *Postgres) exec(ctx context.Context, db string, f func(*pgx.Conn) error) error {
	conn, err := pgx.Connect(ctx, pg.DSN(superuser, superPassword, db))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return f(conn)
}

// quote is a SQL string literal: CREATE ROLE takes no parameters.
func quote(s string) string {
	out := []byte{'\''}
	for i := range len(s) {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
