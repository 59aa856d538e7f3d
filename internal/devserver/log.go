package devserver

import (
	"context"
	"log/slog"
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
func (s *slogAdapter) Panic(msg string, tags ...tag.Tag)  { s.emit(slog.LevelError, msg, tags) }
func (s *slogAdapter) Fatal(msg string, tags ...tag.Tag)  { s.emit(slog.LevelError, msg, tags) }

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
