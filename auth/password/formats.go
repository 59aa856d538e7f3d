package password

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Limits on what a stored hash may ask for, so that a poisoned or corrupt row
// can neither exhaust memory or CPU at login nor match every password (an
// empty key would). New's Params obey the argon2id ones too.
const (
	maxStoredLen = 1024

	maxArgon2Memory      = 1 << 20 // KiB: 1 GiB
	maxArgon2Time        = 10
	maxArgon2Work        = 1 << 20 // memory × time, KiB·passes: 1 GiB once, or 100 MiB ten times
	maxArgon2Parallelism = 16
	minArgon2SaltLen     = 8 // RFC 9106's minimum
	maxArgon2SaltLen     = 64

	minKeyLen = 16
	maxKeyLen = 64

	maxPBKDF2Iterations = 10_000_000
	maxLegacySaltLen    = 256
)

const (
	prefixArgon2id = "$argon2id$"
	prefixSHA256   = "$sha256$"
	prefixPBKDF2   = "$pbkdf2-sha256$"
	prefixDjango   = "pbkdf2_sha256$"
)

// decoded is a parsed stored hash of any accepted format.
type decoded interface {
	// derive computes the digest that password would have under this hash's
	// algorithm, salt and parameters.
	derive(password string) ([]byte, error)
	digest() []byte
	needsRehash(current Params) bool
	// String encodes the hash in the form it was parsed from.
	String() string
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformedHash}, args...)...)
}

// parse decodes a stored hash of any accepted format. Its errors wrap
// ErrMalformedHash and never quote the stored value: a legacy row may hold a
// plaintext password.
func parse(s string) (decoded, error) {
	switch {
	case strings.HasPrefix(s, prefixArgon2id):
		return asDecoded(parseArgon2id(s))
	case strings.HasPrefix(s, prefixSHA256):
		return asDecoded(parseSHA256(s))
	case strings.HasPrefix(s, prefixPBKDF2):
		return asDecoded(parsePBKDF2(s))
	case strings.HasPrefix(s, prefixDjango):
		return asDecoded(parseDjango(s))
	}
	if err := checkStored(s); err != nil {
		return nil, err
	}
	switch {
	case strings.HasPrefix(s, "$argon2i$"), strings.HasPrefix(s, "$argon2d$"):
		return nil, malformed("only argon2id is supported, not argon2i or argon2d")
	case strings.HasPrefix(s, "$2a$"), strings.HasPrefix(s, "$2b$"), strings.HasPrefix(s, "$2y$"):
		return nil, malformed("bcrypt is not supported")
	case strings.HasPrefix(s, "$pbkdf2"), strings.HasPrefix(s, "pbkdf2_"):
		return nil, malformed("PBKDF2 is supported with SHA-256 only")
	}
	return nil, malformed("unrecognised format")
}

func asDecoded[T decoded](d T, err error) (decoded, error) {
	if err != nil {
		return nil, err
	}
	return d, nil
}

// checkStored refuses what no accepted format contains, before any field is
// decoded: every format is printable ASCII without spaces, and the base64
// decoders would otherwise skip line breaks.
func checkStored(s string) error {
	if s == "" {
		return malformed("empty")
	}
	if len(s) > maxStoredLen {
		return malformed("longer than %d bytes", maxStoredLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return malformed("contains a byte outside printable ASCII at offset %d", i)
		}
	}
	return nil
}

// splitFields checks s and splits it at '$' into exactly n fields.
func splitFields(s, algo string, n int) ([]string, error) {
	if err := checkStored(s); err != nil {
		return nil, err
	}
	f := strings.Split(s, "$")
	if len(f) != n {
		return nil, malformed("%s: want %d $-separated fields, got %d", algo, n, len(f))
	}
	return f, nil
}

// parseUint parses a canonical decimal (digits only, no sign, no leading
// zero) within [lo, hi].
func parseUint(s, what string, lo, hi uint64) (uint64, error) {
	if s == "" || len(s) > 20 {
		return 0, malformed("%s is not a decimal number", what)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, malformed("%s is not a decimal number", what)
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, malformed("%s has a leading zero", what)
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil { // overflow, the only error left
		return 0, malformed("%s is above %d", what, hi)
	}
	if v < lo || v > hi {
		return 0, malformed("%s %d is outside %d..%d", what, v, lo, hi)
	}
	return v, nil
}

// param parses "key=<decimal>".
func param(s, key, what string, lo, hi uint64) (uint64, error) {
	v, ok := strings.CutPrefix(s, key+"=")
	if !ok {
		return 0, malformed("%s: want %s=", what, key)
	}
	return parseUint(v, what, lo, hi)
}

func decodeB64(enc *base64.Encoding, s, what string, lo, hi int) ([]byte, error) {
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, malformed("%s is not valid base64", what)
	}
	if len(b) < lo || len(b) > hi {
		return nil, malformed("%s is %d bytes, outside %d..%d", what, len(b), lo, hi)
	}
	return b, nil
}

func decodeHex(s, what string, lo, hi int) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, malformed("%s is not valid hex", what)
	}
	if len(b) < lo || len(b) > hi {
		return nil, malformed("%s is %d bytes, outside %d..%d", what, len(b), lo, hi)
	}
	return b, nil
}

// b64 is the PHC string format's base64: standard alphabet, no padding.
// Strict refuses non-zero trailing bits, so each byte string has exactly one
// encoding.
var b64 = base64.RawStdEncoding.Strict()

// argon2Hash is $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key>.
type argon2Hash struct {
	memory, time uint32
	parallelism  uint8
	salt, key    []byte
}

func checkArgon2Params(p Params) error {
	switch {
	case p.Parallelism < 1 || p.Parallelism > maxArgon2Parallelism:
		return fmt.Errorf("parallelism %d is outside 1..%d", p.Parallelism, maxArgon2Parallelism)
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxArgon2Memory:
		// Argon2 needs 8 KiB per lane; x/crypto would silently round up.
		return fmt.Errorf("memory %d KiB is outside %d..%d", p.Memory, 8*uint32(p.Parallelism), maxArgon2Memory)
	case p.Time < 1 || p.Time > maxArgon2Time:
		return fmt.Errorf("time %d is outside 1..%d", p.Time, maxArgon2Time)
	case uint64(p.Memory)*uint64(p.Time) > maxArgon2Work:
		// Each limit alone still allows 1 GiB × 10 passes: 11 s per login here.
		return fmt.Errorf("memory × time %d KiB·passes is above %d", uint64(p.Memory)*uint64(p.Time), maxArgon2Work)
	case p.SaltLen < minArgon2SaltLen || p.SaltLen > maxArgon2SaltLen:
		return fmt.Errorf("salt length %d is outside %d..%d", p.SaltLen, minArgon2SaltLen, maxArgon2SaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d is outside %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

func parseArgon2id(s string) (argon2Hash, error) {
	f, err := splitFields(s, "argon2id", 6)
	if err != nil {
		return argon2Hash{}, err
	}
	if f[0] != "" || f[1] != "argon2id" {
		return argon2Hash{}, malformed("argon2id: wrong algorithm identifier")
	}
	if f[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return argon2Hash{}, malformed("argon2id: version must be v=%d", argon2.Version)
	}
	ps := strings.Split(f[3], ",")
	if len(ps) != 3 {
		return argon2Hash{}, malformed("argon2id: want parameters m=,t=,p=")
	}
	m, err := param(ps[0], "m", "argon2id: memory", 0, math.MaxUint32)
	if err != nil {
		return argon2Hash{}, err
	}
	t, err := param(ps[1], "t", "argon2id: time", 0, math.MaxUint32)
	if err != nil {
		return argon2Hash{}, err
	}
	p, err := param(ps[2], "p", "argon2id: parallelism", 0, math.MaxUint8)
	if err != nil {
		return argon2Hash{}, err
	}
	salt, err := decodeB64(b64, f[4], "argon2id: salt", 0, maxStoredLen)
	if err != nil {
		return argon2Hash{}, err
	}
	key, err := decodeB64(b64, f[5], "argon2id: hash", 0, maxStoredLen)
	if err != nil {
		return argon2Hash{}, err
	}
	a := argon2Hash{memory: uint32(m), time: uint32(t), parallelism: uint8(p), salt: salt, key: key}
	if err := checkArgon2Params(a.params()); err != nil {
		return argon2Hash{}, malformed("argon2id: %v", err)
	}
	return a, nil
}

func (a argon2Hash) params() Params {
	return Params{
		Memory: a.memory, Time: a.time, Parallelism: a.parallelism,
		SaltLen: uint32(len(a.salt)), KeyLen: uint32(len(a.key)),
	}
}

func (a argon2Hash) derive(password string) ([]byte, error) {
	return a.keyN(password, uint32(len(a.key))), nil
}

// keyN computes an n-byte key. x/crypto panics for n == 0, which the limits
// exclude.
func (a argon2Hash) keyN(password string, n uint32) []byte {
	return argon2.IDKey([]byte(password), a.salt, a.time, a.memory, a.parallelism, n)
}

func (a argon2Hash) digest() []byte { return a.key }

func (a argon2Hash) needsRehash(current Params) bool { return a.params() != current }

func (a argon2Hash) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, a.memory, a.time, a.parallelism, b64.EncodeToString(a.salt), b64.EncodeToString(a.key))
}

// sha256Hash is the old BillGate system's salted SHA-256:
// $sha256$<hex salt>$<hex sha256(salt || password)>, the salt prepended as
// the bytes its hex decodes to.
type sha256Hash struct {
	salt, sum []byte
}

func parseSHA256(s string) (sha256Hash, error) {
	f, err := splitFields(s, "sha256", 4)
	if err != nil {
		return sha256Hash{}, err
	}
	if f[0] != "" || f[1] != "sha256" {
		return sha256Hash{}, malformed("sha256: wrong algorithm identifier")
	}
	salt, err := decodeHex(f[2], "sha256: salt", 1, maxLegacySaltLen)
	if err != nil {
		return sha256Hash{}, err
	}
	sum, err := decodeHex(f[3], "sha256: hash", sha256.Size, sha256.Size)
	if err != nil {
		return sha256Hash{}, err
	}
	return sha256Hash{salt: salt, sum: sum}, nil
}

func (h sha256Hash) derive(password string) ([]byte, error) {
	d := sha256.New()
	d.Write(h.salt)
	_, _ = io.WriteString(d, password)
	return d.Sum(nil), nil
}

func (h sha256Hash) digest() []byte { return h.sum }

func (sha256Hash) needsRehash(Params) bool { return true }

func (h sha256Hash) String() string {
	return prefixSHA256 + hex.EncodeToString(h.salt) + "$" + hex.EncodeToString(h.sum)
}

// pbkdf2Hash is PBKDF2-HMAC-SHA256 in one of two forms:
//
//	$pbkdf2-sha256$i=<iterations>$<salt>$<key>    PHC, as @phc/pbkdf2 writes it:
//	                                              salt and key in unpadded base64
//	pbkdf2_sha256$<iterations>$<salt>$<key>       Django: the salt is used as the
//	                                              literal text, the key is padded base64
type pbkdf2Hash struct {
	django     bool
	iterations int
	salt, key  []byte
}

func parsePBKDF2(s string) (pbkdf2Hash, error) {
	f, err := splitFields(s, "pbkdf2-sha256", 5)
	if err != nil {
		return pbkdf2Hash{}, err
	}
	if f[0] != "" || f[1] != "pbkdf2-sha256" {
		return pbkdf2Hash{}, malformed("pbkdf2-sha256: wrong algorithm identifier")
	}
	i, err := param(f[2], "i", "pbkdf2-sha256: iterations", 1, maxPBKDF2Iterations)
	if err != nil {
		return pbkdf2Hash{}, err
	}
	salt, err := decodeB64(b64, f[3], "pbkdf2-sha256: salt", 1, maxLegacySaltLen)
	if err != nil {
		return pbkdf2Hash{}, err
	}
	key, err := decodeB64(b64, f[4], "pbkdf2-sha256: hash", minKeyLen, maxKeyLen)
	if err != nil {
		return pbkdf2Hash{}, err
	}
	return pbkdf2Hash{iterations: int(i), salt: salt, key: key}.checkWork("pbkdf2-sha256")
}

var djangoB64 = base64.StdEncoding.Strict()

func parseDjango(s string) (pbkdf2Hash, error) {
	f, err := splitFields(s, "pbkdf2_sha256", 4)
	if err != nil {
		return pbkdf2Hash{}, err
	}
	if f[0] != "pbkdf2_sha256" {
		return pbkdf2Hash{}, malformed("pbkdf2_sha256: wrong algorithm identifier")
	}
	i, err := parseUint(f[1], "pbkdf2_sha256: iterations", 1, maxPBKDF2Iterations)
	if err != nil {
		return pbkdf2Hash{}, err
	}
	if len(f[2]) < 1 || len(f[2]) > maxLegacySaltLen {
		return pbkdf2Hash{}, malformed("pbkdf2_sha256: salt is %d bytes, outside 1..%d", len(f[2]), maxLegacySaltLen)
	}
	key, err := decodeB64(djangoB64, f[3], "pbkdf2_sha256: hash", minKeyLen, maxKeyLen)
	if err != nil {
		return pbkdf2Hash{}, err
	}
	return pbkdf2Hash{django: true, iterations: int(i), salt: []byte(f[2]), key: key}.checkWork("pbkdf2_sha256")
}

// checkWork bounds the HMAC computations: PBKDF2 repeats every iteration for
// each 32-byte block of the key.
func (h pbkdf2Hash) checkWork(algo string) (pbkdf2Hash, error) {
	blocks := (len(h.key) + sha256.Size - 1) / sha256.Size
	if h.iterations*blocks > maxPBKDF2Iterations {
		return pbkdf2Hash{}, malformed("%s: %d iterations × %d key blocks is above %d", algo, h.iterations, blocks, maxPBKDF2Iterations)
	}
	return h, nil
}

func (h pbkdf2Hash) derive(password string) ([]byte, error) {
	k, err := pbkdf2.Key(sha256.New, password, h.salt, h.iterations, len(h.key))
	if err != nil {
		// Only under GODEBUG=fips140=only, which refuses salts under 16 bytes.
		return nil, fmt.Errorf("password: pbkdf2: %w", err)
	}
	return k, nil
}

func (h pbkdf2Hash) digest() []byte { return h.key }

func (pbkdf2Hash) needsRehash(Params) bool { return true }

func (h pbkdf2Hash) String() string {
	if h.django {
		return fmt.Sprintf("%s%d$%s$%s", prefixDjango, h.iterations, h.salt, djangoB64.EncodeToString(h.key))
	}
	return fmt.Sprintf("%si=%d$%s$%s", prefixPBKDF2, h.iterations, b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}
