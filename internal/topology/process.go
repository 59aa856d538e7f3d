package topology

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Process is one program of the topology, run as its own OS process with
// its output appended to a log file, so that it can be killed and started
// again as a crash and a restart would.
type Process struct {
	Name string
	// Log is the file its stdout and stderr go to, across restarts.
	Log string

	path string
	args []string
	env  []string
	cred *syscall.Credential

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

func newProcess(dir, name, path string, args, env []string) *Process {
	return &Process{Name: name, Log: filepath.Join(dir, name+".log"), path: path, args: args, env: env}
}

// Start runs the process. It is an error to start one that runs.
func (p *Process) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running() {
		return fmt.Errorf("%s: already running", p.Name)
	}
	log, err := os.OpenFile(p.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	fmt.Fprintf(log, "--- %s: start %s\n", time.Now().UTC().Format(time.RFC3339Nano), p.Name)
	cmd := exec.Command(p.path, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = log, log
	// Its own process group, so that a Ctrl-C meant for the harness does
	// not reach it first, and Kill takes its children along; and it dies
	// with the harness, however the harness ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: p.cred, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", p.Name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	p.cmd, p.done = cmd, done
	return nil
}

func (p *Process) running() bool {
	if p.done == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Kill ends the process with SIGKILL, as a crash or the OOM killer
// would, and waits until it is gone.
func (p *Process) Kill() { p.signal(syscall.SIGKILL, 0) }

// Stop asks the process to stop with SIGTERM and kills it after grace.
func (p *Process) Stop(grace time.Duration) { p.signal(syscall.SIGTERM, grace) }

func (p *Process) signal(sig syscall.Signal, grace time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.running() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, sig)
	if grace > 0 {
		select {
		case <-p.done:
			return
		case <-time.After(grace):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	<-p.done
}

// Exited is closed when the current run of the process ends.
func (p *Process) Exited() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// run runs a one-shot program to its end, its output going to log, and
// fails with the tail of that output.
func run(ctx context.Context, log string, cred *syscall.Credential, env []string, path string, args ...string) error {
	f, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(f, "--- %s: %s %v\n", time.Now().UTC().Format(time.RFC3339Nano), filepath.Base(path), args)
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w (see %s)", filepath.Base(path), args, err, log)
	}
	return nil
}

// waitUntil polls ready until it holds, the process dies, or timeout.
func waitUntil(ctx context.Context, p *Process, timeout time.Duration, ready func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	exited := p.Exited()
	var last error
	for {
		attempt, stop := context.WithTimeout(ctx, 2*time.Second)
		last = ready(attempt)
		stop()
		if last == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("%s exited while starting (see %s): %w", p.Name, p.Log, last)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %v (see %s): %w", p.Name, timeout, p.Log, errors.Join(last, ctx.Err()))
		case <-time.After(100 * time.Millisecond):
		}
	}
}
