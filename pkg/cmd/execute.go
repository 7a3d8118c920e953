package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Exit codes, documented in the README and in the root command's help.
const (
	// ExitOK: complete result.
	ExitOK = 0
	// ExitError: bad input or flags, cluster unreachable, credentials rejected.
	ExitError = 1
	// ExitGate is reserved for CI gates (--fail-on): the result is printed and a gate failed.
	ExitGate = 2
	// ExitPartial: some kinds could not be read (forbidden, failing); the result
	// is printed and incomplete.
	ExitPartial = 3
	// ExitUnverified: verify printed its checks and a step was refused by the
	// cluster or could not be checked; or fix --dry-run=server printed the
	// change and the apiserver did not accept it.
	ExitUnverified = 4
	// ExitInterrupted: interrupted (Ctrl-C, SIGTERM) before a result was printed.
	ExitInterrupted = 130
)

// exitCodesHelp is the exit code section of the root command's help.
const exitCodesHelp = `Exit status (every command):
  0    complete result
  1    error: bad input or flags (also input with no RBAC object), cluster unreachable,
       credentials rejected
  2    a CI gate failed (--fail-on): result printed
  3    partial result: some kinds could not be read live (whoami without RBAC read access:
       its rules come from SelfSubjectRulesReviews), or the -f input has none of a kind
       every cluster has (namespaces, serviceaccounts, secrets, pods, nodes); listed on
       standard error and under "incomplete" in -o json|yaml; --allow-incomplete KIND,...
       accepts kinds left out on purpose
  4    verify: a step was refused by the cluster or could not be checked;
       fix --dry-run=server: the apiserver did not accept the change
  130  interrupted (Ctrl-C)`

// ExitCoder lets a command choose the process exit status without an error message.
type ExitCoder interface{ ExitCode() int }

// WithExitCode wraps err so that the process exits with code; a nil err
// prints nothing (e.g. a CI gate that failed with its result already printed).
func WithExitCode(code int, err error) error { return &exitError{code: code, err: err} }

type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) ExitCode() int { return e.code }
func (e *exitError) Unwrap() error { return e.err }

// Execute runs the root command with the process's streams and returns the exit status.
func Execute() int {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	done := make(chan struct{})
	defer close(done)
	go stopWhenInterrupted(ctx, done, streams)
	root := NewCmdAuthPaths(streams)
	if err := root.ExecuteContext(ctx); err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			fmt.Fprintln(streams.ErrOut, "interrupted")
			return ExitInterrupted
		}
		var ec ExitCoder
		if errors.As(err, &ec) {
			if msg := err.Error(); msg != "" {
				fmt.Fprintf(streams.ErrOut, "error: %s\n", msg)
			}
			return ec.ExitCode()
		}
		fmt.Fprintf(streams.ErrOut, "error: %s\n", err)
		return ExitError
	}
	return ExitOK
}

// interruptGrace is how long a command may take to return after Ctrl-C or
// SIGTERM before the process stops anyway.
const interruptGrace = 2 * time.Second

// stopWhenInterrupted ends the process with ExitInterrupted when a signal
// cancelled ctx and the command has not returned within interruptGrace:
// live reads stop with the context, but reading stdin and the analysis
// (chokepoints re-analyses once per candidate binding) do not look at it,
// and a user's Ctrl-C must stop the command as it stops kubectl.
func stopWhenInterrupted(ctx context.Context, done <-chan struct{}, streams genericiooptions.IOStreams) {
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	select {
	case <-done:
	case <-time.After(interruptGrace):
		fmt.Fprintln(streams.ErrOut, "interrupted")
		os.Exit(ExitInterrupted)
	}
}
