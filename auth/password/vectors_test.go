package password

import "strings"

// Test vectors, each made by an implementation other than this package's.
//
//   - argon2id: the reference C implementation's CLI (Debian package argon2,
//     0~20171227), e.g.
//     printf '%s' 'correct horse battery staple' | argon2 billgate-salt-01 -id -t 1 -k 64 -p 1 -l 32 -e
//     The CLI reads at most 127 bytes and no empty password, so the 128-char
//     and empty ones come from argon2-cffi 21.1.0 (Debian python3-argon2, the
//     same C library): argon2.low_level.hash_secret(pw, salt, time_cost=1,
//     memory_cost=64, parallelism=1, hash_len=32, type=Type.ID); it also
//     reproduces the CLI's argonHorse exactly. The libsodium ones come from PyNaCl
//     1.5.0 (Debian python3-nacl): nacl.pwhash.argon2id.str(pw, opslimit,
//     memlimit), with a salt of libsodium's choosing.
//   - sha256: printf '<salt bytes as \x escapes>%s' "$pw" | sha256sum, and the
//     same from python3 hashlib.sha256(bytes.fromhex(salt) + pw.encode()).
//   - pbkdf2-sha256 (PHC): the npm package @phc/pbkdf2 1.1.14 on node 20,
//     pbkdf2.hash(pw, {iterations, digest: 'sha256', saltSize: 16}), each then
//     recomputed with python3 hashlib.pbkdf2_hmac. The rfc7914 ones are RFC
//     7914 §11's published PBKDF2-HMAC-SHA256 vectors (64-byte keys), written
//     in PHC form by python3 and recomputed with hashlib.pbkdf2_hmac.
//   - pbkdf2_sha256 (Django): node's crypto.pbkdf2Sync(pw, salt, i, 32,
//     'sha256') written as 'pbkdf2_sha256$i$salt$' + base64, each recomputed
//     with python3 hashlib.pbkdf2_hmac; djangoSuite is the vector of Django
//     1.5's own test suite, make_password("lètmein", "seasalt").
const (
	pwHorse = "correct horse battery staple"
	pwNFC   = "p\u00e4ssword"  // "pässword", ä precomposed
	pwNFD   = "pa\u0308ssword" // "pässword", a + combining diaeresis
)

// pw128 is 128 characters; pw128Last differs from it in the last one only.
var (
	pw128     = strings.Repeat("0123456789abcdef", 8)
	pw128Last = pw128[:127] + "g"
)

// Argon2id vectors at testParams (m=64, t=1, p=1, 16-byte salt, 32-byte key)
// unless named otherwise.
const (
	// CLI and argon2-cffi, salt "billgate-salt-01"
	argonHorse = "$argon2id$v=19$m=64,t=1,p=1$YmlsbGdhdGUtc2FsdC0wMQ$sKa3bx/YPEPYzfTgcdEcMBCjxBzX5qzi+Ck8bHMRZ6k"
	// CLI, salt "billgate-salt-02"
	argonNFC = "$argon2id$v=19$m=64,t=1,p=1$YmlsbGdhdGUtc2FsdC0wMg$yNJ2KyhGRejIyXDP2SkHChx1exXhkH9FYeLs7h+A7Jg"
	// argon2-cffi, salt "billgate-salt-03"
	argon128 = "$argon2id$v=19$m=64,t=1,p=1$YmlsbGdhdGUtc2FsdC0wMw$C2zV+T/2dgKkKDLs6XiQHKjT2tI64CKaZ1/RlLk1K9k"
	// argon2-cffi, password "", salt "billgate-salt-05"
	argonEmpty = "$argon2id$v=19$m=64,t=1,p=1$YmlsbGdhdGUtc2FsdC0wNQ$nwaw4XIpRkaO/56zU2pdozJ/PvP9LIKkabljyEFYpPc"
	// libsodium
	argonSodium = "$argon2id$v=19$m=64,t=1,p=1$ozXvKSsNvEOPVYz5g9o06g$4ZQdGbDmUjgZakt6L0xRf6lk3usQ7vDjZ5C/9EbFHGc"
	// CLI, salt "billgate-salt-04"
	argonFourLane = "$argon2id$v=19$m=256,t=3,p=4$YmlsbGdhdGUtc2FsdC0wNA$V3IdG+263cXWJb2nMzds0BoASWbl9k4RYctd3A8wtdQ"
	// CLI, 8-byte salt "saltsalt", 16-byte key
	argonShort = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$ERNvCBi29vikzzsuEI2bUQ"

	// At DefaultParams: CLI, password "password", salt "somesaltsomesalt"
	argonDefaultCLI = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE"
	// At DefaultParams: libsodium, pwHorse
	argonDefaultSodium = "$argon2id$v=19$m=19456,t=2,p=1$f8365BZKn0Wizb+ZUlBYkw$/Zlak5gjXG4BnXN1rqBCMtq7GU7550fuFXVTy30ZZ6I"
)

// Salted SHA-256 vectors.
const (
	shaHorse      = "$sha256$0f1e2d3c4b5a69788796a5b4c3d2e1f0$737ee7522df51526d0ac487d93cbe29d4efbf207ce9c16f08633f6f3c0dce3b2"
	shaHorseUpper = "$sha256$0F1E2D3C4B5A69788796A5B4C3D2E1F0$737EE7522DF51526D0AC487D93CBE29D4EFBF207CE9C16F08633F6F3C0DCE3B2"
	shaNFC        = "$sha256$b111ca7e$66308a55ed0ce475450e575ac0d40aef65765b0bc9c4df3c7927a456faa7230f"
	sha128        = "$sha256$0f1e2d3c4b5a69788796a5b4c3d2e1f0$8552045d92089ba338251ddc8d7389daeee2ca1fe21de1cd6b0988e15a2edee9"
)

// PBKDF2-HMAC-SHA256 vectors, PHC form.
const (
	phcHorse     = "$pbkdf2-sha256$i=1000$juqZQ6J7EyzDl9diMpJiPg$j6JOmk084pv0WdWJqR0A7AM671aUid40lMJ2X+ytKgY"
	phcNFC       = "$pbkdf2-sha256$i=1000$J8/T3NJM0+uMqUBp8evpZQ$uDo/s6umouAH7wq3PJBkx7WLIj16NFvNtAnaau4QkRI"
	phc128       = "$pbkdf2-sha256$i=1000$d2ap7bGakFqep8cJ9P2nkg$AiGiuH4uCbeIUib+TwYVa0edU7v96ENLNDJ0DpGYK8U"
	phcHorse600k = "$pbkdf2-sha256$i=600000$sSXg2FPE+gY/rkmoy7v7Dg$qhkjTnbHz9qmUyf6AQLy42t836QUAnyDd/mqhaNxPMM"
	// P="passwd", S="salt"
	phcRFC7914a = "$pbkdf2-sha256$i=1$c2FsdA$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLxJypzM8Xm2RZkWZLOdd+8xfHG4RbHjC9UJESBB06GXgw"
	// P="Password", S="NaCl"
	phcRFC7914b = "$pbkdf2-sha256$i=80000$TmFDbA$TdzY9guYviGDDO5e8icB+WQaRBjQTAQUrv8Ih2s0q1ah1CWhIlgzVJrbhBtRybMXaicr3ruh0HhHj2Kzl/M8jQ"
)

// PBKDF2-HMAC-SHA256 vectors, Django form.
const (
	djangoHorse     = "pbkdf2_sha256$1000$Xk3NpQ8vR2mLwZ7tYc4aHe$6RcKSnu+14ek22CqNP63TUBpU95hg3edF6VNgmGI26k="
	djangoNFC       = "pbkdf2_sha256$1000$Xk3NpQ8vR2mLwZ7tYc4aHe$OtlhJ2VSvq/WFA4hs9cMYXjZcW9LsPTOA5dr+lQobiQ="
	django128       = "pbkdf2_sha256$1000$Xk3NpQ8vR2mLwZ7tYc4aHe$EtIQAG7Ym4y6IOJr4VqfZ6zwzME9Zq9zNcrZKxMiAaQ="
	djangoHorse600k = "pbkdf2_sha256$600000$Xk3NpQ8vR2mLwZ7tYc4aHe$fl3gqlEsuoqggOhHZWR3zcs5QxHbpP/mnMgDbbM92ZI="
	// password "l\u00e8tmein"
	djangoSuite = "pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY="
)

// vector is a stored hash and the password it was made from.
type vector struct {
	name, password, stored string
	rehash                 bool // needsRehash under testParams
}

// vectors are the cheap ones (no DefaultParams, no 600k iterations).
var vectors = []vector{
	{"argon2id/cli", pwHorse, argonHorse, false},
	{"argon2id/cli-nfc", pwNFC, argonNFC, false},
	{"argon2id/cffi-128", pw128, argon128, false},
	{"argon2id/cffi-empty", "", argonEmpty, false},
	{"argon2id/libsodium", pwHorse, argonSodium, false},
	{"argon2id/cli-4-lanes", pwHorse, argonFourLane, true},
	{"argon2id/cli-short-salt-key", pwHorse, argonShort, true},
	{"sha256", pwHorse, shaHorse, true},
	{"sha256/uppercase-hex", pwHorse, shaHorseUpper, true},
	{"sha256/nfc", pwNFC, shaNFC, true},
	{"sha256/128", pw128, sha128, true},
	{"pbkdf2-sha256", pwHorse, phcHorse, true},
	{"pbkdf2-sha256/nfc", pwNFC, phcNFC, true},
	{"pbkdf2-sha256/128", pw128, phc128, true},
	{"pbkdf2-sha256/rfc7914-1", "passwd", phcRFC7914a, true},
	{"pbkdf2-sha256/rfc7914-80000", "Password", phcRFC7914b, true},
	{"django", pwHorse, djangoHorse, true},
	{"django/nfc", pwNFC, djangoNFC, true},
	{"django/128", pw128, django128, true},
	{"django/suite", "l\u00e8tmein", djangoSuite, true},
}
