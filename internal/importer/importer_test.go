package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/internal/storetest"
	"github.com/billgate/billgate/models"
)

var cheap = password.New(password.Params{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32})

// legacySHA256 is the old BillGate form: sha256(salt bytes || password).
func legacySHA256(salt, pw string) string {
	sum := sha256.Sum256(append([]byte(salt), pw...))
	return fmt.Sprintf("$sha256$%s$%s", hex.EncodeToString([]byte(salt)), hex.EncodeToString(sum[:]))
}

func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		file := strings.Join([]string{
			`{"login":"shop","email":"owner@shop.example","password":"correct horse battery"}`,
			`{"login":"bob","tenant":"shop","passwordHash":"` + legacySHA256("pepper", "bobs old password") + `","birthdate":"1980-02-29"}`,
			`{"login":"carol","tenant":"shop","passwordHash":"$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$` + pbkdf2Vector + `"}`,
			`{"login":"dave","tenant":"shop","disabled":true}`,
		}, "\n")
		res, err := Import(ctx, s, cheap, strings.NewReader(file))
		if err != nil {
			t.Fatalf("Import() = %v", err)
		}
		if res.Imported != 4 || res.Legacy != 2 {
			t.Errorf("Import() = %+v, want 4 imported, 2 legacy", res)
		}
		shop, err := s.ClientByLogin(ctx, nil, "shop")
		if err != nil {
			t.Fatal(err)
		}
		bob, err := s.ClientByLogin(ctx, &shop.ID, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if ok, rehash, err := cheap.Verify("bobs old password", bob.PasswordHash); !ok || !rehash || err != nil {
			t.Errorf("bob's legacy hash verifies = %v, rehash %v, %v; want true, true", ok, rehash, err)
		}
		g, _ := s.GrantsOf(ctx, bob.ID)
		if len(g.Roles) != 1 || g.Roles[0] != "customer" {
			t.Errorf("bob's roles = %v, want [customer]", g.Roles)
		}
		if dave, _ := s.ClientByLogin(ctx, &shop.ID, "dave"); dave == nil || !dave.Disabled || dave.PasswordHash != "" {
			t.Errorf("dave = %+v, want disabled without a password", dave)
		}
	})
}

// pbkdf2Vector is PBKDF2-HMAC-SHA256("carols password", "saltsalt", 1000,
// 32 bytes), base64 without padding; from python3:
// hashlib.pbkdf2_hmac('sha256', b'carols password', b'saltsalt', 1000).
const pbkdf2Vector = "YE2ZeldZRDmrZLeHFC3geTTJueuKPNZq+eZEQ8hL3w0"

// One bad line refuses the whole file, and every bad line is named.
func TestImportIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		file := strings.Join([]string{
			`{"login":"shop","password":"correct horse battery"}`,
			`{"login":"bob","tenant":"nowhere"}`,
			`{"login":"carol","tenant":"shop","passwordHash":"$md5$nope"}`,
			`{"login":"shop"}`,
			`{"login":"eve","role":"customer"}`,
			`{"login":"x y"}`,
			`not json`,
			`{"login":"frank","tenant":"shop","password":"short"}`,
			`{"login":"gina","tenant":"shop","nickname":"g"}`,
		}, "\n")
		_, err := Import(ctx, s, cheap, strings.NewReader(file))
		if err == nil {
			t.Fatal("Import() of a bad file succeeded")
		}
		for _, line := range []int{2, 3, 4, 5, 6, 7, 8, 9} {
			if !strings.Contains(err.Error(), fmt.Sprintf("line %d:", line)) {
				t.Errorf("Import() error does not name line %d:\n%v", line, err)
			}
		}
		if strings.Contains(err.Error(), "line 1:") {
			t.Errorf("Import() blames the good line 1:\n%v", err)
		}
		if _, err := s.ClientByLogin(ctx, nil, "shop"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("a refused import left shop behind: %v", err)
		}
	})
}

func TestImportRefusesEmptyAndHugeInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		for name, in := range map[string]string{
			"empty":     "",
			"huge line": `{"login":"` + strings.Repeat("a", maxLineBytes) + `"}`,
		} {
			if _, err := Import(context.Background(), s, cheap, strings.NewReader(in)); err == nil {
				t.Errorf("Import(%s) succeeded", name)
			}
		}
	})
}
