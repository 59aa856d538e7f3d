package app

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/billgate/billgate/auth/sealed"
)

// A key file is made once, private, and read back the same afterwards.
func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	first, err := KeyFile(path, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sealed.ParseKeys(first); err != nil {
		t.Errorf("KeyFile() = %q: not a key billgate takes: %v", first, err)
	}
	again, err := KeyFile(path, "dev")
	if err != nil || again != first {
		t.Errorf("KeyFile() again = %q, %v, want %q", again, err, first)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, %v, want 0600", info.Mode().Perm(), err)
	}
	if _, err := KeyFile(filepath.Join(path, "nested"), "dev"); err == nil {
		t.Error("KeyFile(under a file) = nil error, want one")
	}
}
