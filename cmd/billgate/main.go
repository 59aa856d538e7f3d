// Command billgate is the subscription billing engine: one binary whose
// subcommands run the API, the workers, both at once with an embedded
// Temporal (dev), or the migrations.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/billgate/billgate/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "billgate:", oneLine(err))
		os.Exit(1)
	}
}

// oneLine folds an error onto one line: drivers such as pgx spread theirs
// over several, and a failure to start must read as one.
func oneLine(err error) string {
	lines := strings.FieldsFunc(err.Error(), func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " ")
}

// run is the whole program; main only adds the process around it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Parse(args, getenv, stdout)
	if errors.Is(err, config.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	switch cfg.Command {
	case config.CommandDev:
		return runDev(ctx, cfg, log, stdout)
	case config.CommandAPI, config.CommandWorker:
		return runServer(ctx, cfg, log)
	case config.CommandMigrate:
		return runMigrate(ctx, cfg, log, stdout)
	case config.CommandVersion:
		fmt.Fprintln(stdout, versionLine())
		return nil
	case config.CommandHealthcheck:
		return healthcheck(ctx, cfg.URL)
	case config.CommandAdmin:
		return importClients(ctx, cfg, log, stdout)
	}
	return fmt.Errorf("unknown command %q", cfg.Command)
}
