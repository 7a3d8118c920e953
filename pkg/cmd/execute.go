package cmd

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Exit codes, documented in the README.
const (
	ExitOK    = 0
	ExitError = 1
)

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
	root := NewCmdAuthPaths(streams)
	if err := root.ExecuteContext(ctx); err != nil {
		if ec, ok := err.(ExitCoder); ok {
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
