package auth

import (
	"errors"
	"fmt"
	"testing"

	"github.com/billgate/billgate/models"
)

// Principal.Level is the store's level as read: auth's names must be the
// store's numbers.
func TestLevelsAreTheStoredOnes(t *testing.T) {
	for _, l := range []struct{ auth, stored int }{
		{LevelCustomer, models.LevelCustomer}, {LevelBusiness, models.LevelBusiness}, {LevelAdmin, models.LevelAdmin},
	} {
		if l.auth != l.stored {
			t.Errorf("auth level %d, stored %d", l.auth, l.stored)
		}
	}
}

func TestTheStoresNotFoundIsBothNotFounds(t *testing.T) {
	err := marked(fmt.Errorf("session: %w", models.ErrNotFound))
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, models.ErrNotFound) || err.Error() != "session: not found" {
		t.Errorf("marked(not found) = %v, want ErrNotFound and models.ErrNotFound with the store's text", err)
	}
	if other := errors.New("boom"); marked(other) != other || marked(nil) != nil {
		t.Error("marked changed an error that is not the store's not-found")
	}
}
