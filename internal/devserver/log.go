package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// slogAdapter lets the server log through billgate's slog logger. The server
// logs a lot at info level, so only warnings and errors pass, and nothing
// once it is stopping: its services then warn about each other going away.
type slogAdapter struct {
	log      *slog.Logger
	stopping atomic.Bool
}

var _ log.Logger = (*slogAdapter)(nil)

func (s *slogAdapter) silence() { s.stopping.Store(true) }

func (s *slogAdapter) Debug(string, ...tag.Tag)           {}
func (s *slogAdapter) Info(string, ...tag.Tag)            {}
func (s *slogAdapter) Warn(msg string, tags ...tag.Tag)   { s.emit(slog.LevelWarn, msg, tags) }
func (s *slogAdapter) Error(msg string, tags ...tag.Tag)  { s.emit(slog.LevelError, msg, tags) }
func (s *slogAdapter) DPanic(msg string, tags ...tag.Tag) { s.emit(slog.LevelError, msg, tags) }
func (s *slogAdapter) Panic(msg string, tags ...tag.Tag)  { s.abort(msg, tags) }
func (s *slogAdapter) Fatal(msg string, tags ...tag.Tag)  { s.abort(msg, tags) }

// abort never returns, as the server expects of Panic and Fatal: it goes on
// with whatever the failed step left behind otherwise, such as a nil
// listener when a port was taken. Start recovers the panic and retries.
func (s *slogAdapter) abort(msg string, tags []tag.Tag) {
	s.emit(slog.LevelError, msg, tags)
	panic(fmt.Sprintf("temporal: %s%s", msg, tagText(tags)))
}

func tagText(tags []tag.Tag) string {
	var b strings.Builder
	for _, t := range tags {
		fmt.Fprintf(&b, " %s=%v", t.Key(), t.Value())
	}
	return b.String()
}

func (s *slogAdapter) emit(level slog.Level, msg string, tags []tag.Tag) {
	if s.stopping.Load() {
		return
	}
	attrs := make([]slog.Attr, 0, len(tags)+1)
	attrs = append(attrs, slog.String("component", "temporal"))
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	s.log.LogAttrs(context.Background(), level, msg, attrs...)
}
