// Command gobcheck proves OSMS's Java gob codec against Go's own encoding/gob.
//
//	gobcheck vectors DIR          write the fixed test vectors (one fresh process per vector, as type ids are per process)
//	gobcheck vector NAME          write one vector to standard output
//	gobcheck decode TYPE FILE     decode a gob stream made by Java into TYPE and print it as JSON
//	gobcheck check URL [USER...]  fetch the public endpoints as gob and JSON and require the same values
package main

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
)

// The Go structs of docs/protocol.md, field for field.

type ServerKeyView struct {
	PublicKey   []byte
	Fingerprint string
	CreatedAt   int64
}

type ServerKeyRecord struct {
	Serial               int64
	PublicKey            []byte
	Fingerprint          string
	CreatedAt            int64
	PreviousKeySignature []byte
	KeySignature         []byte
}

type ServerKeyHistoryView struct {
	Keys []ServerKeyRecord
}

type UserView struct {
	Username    string
	Status      string
	PublicKey   []byte
	Fingerprint string
}

type AuditRecord struct {
	Seq               int64
	RecordedAt        int64
	IdentityId        int64
	Event             string
	UsernameBefore    string
	UsernameAfter     string
	FingerprintBefore string
	FingerprintAfter  string
	PublicKeyBefore   []byte
	PublicKeyAfter    []byte
	PrevHash          []byte
	Hash              []byte
}

type HistoryView struct {
	Username   string
	IdentityId int64
	Entries    []AuditRecord
	NextAfter  *int64
}

type AuditPage struct {
	Entries   []AuditRecord
	HeadSeq   int64
	NextAfter *int64
}

type ErrorDocument struct {
	Error   string
	Message string
}

func ptr(v int64) *int64 { return &v }

func bytesN(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}

var fullRecord = AuditRecord{
	Seq: 2, RecordedAt: 1795572740001, IdentityId: 4127390018234411127, Event: "key_replaced",
	UsernameBefore: "alice", UsernameAfter: "alice", FingerprintBefore: "5d0e3f1c9e7be1b2f1a0d9d2e6e44c61f0d17b9d",
	FingerprintAfter: "a93d2093aff2ee9668358d2841180530047e3099", PublicKeyBefore: bytesN(40, 1),
	PublicKeyAfter: bytesN(300, 7), PrevHash: bytesN(32, 0), Hash: bytesN(32, 200),
}

var extremes = AuditRecord{
	Seq: math.MaxInt64, RecordedAt: math.MinInt64, IdentityId: 1, Event: "registered", UsernameAfter: "z",
	FingerprintAfter: "00000000000000000000000000000000000000ff", PublicKeyAfter: []byte{0}, PrevHash: bytesN(32, 9),
	Hash: bytesN(32, 255),
}

// Vectors: fixed values whose Go encoding the Java encoder must reproduce byte for byte, and decode exactly.
var vectors = map[string]interface{}{
	"server_key_view": ServerKeyView{PublicKey: bytesN(20, 0), Fingerprint: "aaf7a416772d34403a2a6504a64c83a0713775e1", CreatedAt: 1795572738387},
	"server_key_history_view": ServerKeyHistoryView{Keys: []ServerKeyRecord{
		{Serial: 1, PublicKey: bytesN(20, 0), Fingerprint: "aaf7a416772d34403a2a6504a64c83a0713775e1", CreatedAt: 1795572738387},
		{Serial: 2, PublicKey: bytesN(20, 50), Fingerprint: "0b1c2d3e4f5061728394a5b6c7d8e9f00112233a", CreatedAt: 1795572799000,
			PreviousKeySignature: bytesN(46, 100), KeySignature: bytesN(45, 150)},
	}},
	"user_view_active":      UserView{Username: "alice", Status: "active", PublicKey: bytesN(64, 3), Fingerprint: "3f1c9e7be1b2f1a0d9d2e6e44c61f0d17b9d2a55"},
	"user_view_unpublished": UserView{Username: "bob", Status: "unpublished"},
	"audit_page":            AuditPage{Entries: []AuditRecord{fullRecord, extremes}, HeadSeq: 300, NextAfter: ptr(2)},
	"audit_page_empty":      AuditPage{HeadSeq: 0},
	"history_view":          HistoryView{Username: "alice", IdentityId: 4127390018234411127, Entries: []AuditRecord{fullRecord}},
	"error_document":        ErrorDocument{Error: "bad_username", Message: "A username contains only the letters A-Z, a-z and the digits 0-9."},
}

func newValue(typeName string) interface{} {
	switch typeName {
	case "ServerKeyView":
		return &ServerKeyView{}
	case "ServerKeyHistoryView":
		return &ServerKeyHistoryView{}
	case "ServerKeyRecord":
		return &ServerKeyRecord{}
	case "UserView":
		return &UserView{}
	case "HistoryView":
		return &HistoryView{}
	case "AuditPage":
		return &AuditPage{}
	case "AuditRecord":
		return &AuditRecord{}
	case "ErrorDocument":
		return &ErrorDocument{}
	}
	fail("unknown type %s", typeName)
	return nil
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "gobcheck: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: gobcheck vectors DIR | vector NAME | decode TYPE FILE | check URL [USER...]")
	}
	switch os.Args[1] {
	case "vectors":
		writeVectors(os.Args[2])
	case "vector":
		v, ok := vectors[os.Args[2]]
		if !ok {
			fail("no vector %s", os.Args[2])
		}
		if err := gob.NewEncoder(os.Stdout).Encode(v); err != nil {
			fail("encode: %v", err)
		}
	case "decode":
		data, err := os.ReadFile(os.Args[3])
		if err != nil {
			fail("%v", err)
		}
		v := newValue(os.Args[2])
		dec := gob.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(v); err != nil {
			fail("decode: %v", err)
		}
		if err := dec.Decode(new(interface{})); err != io.EOF {
			fail("trailing data after the value")
		}
		out, _ := json.Marshal(v)
		fmt.Println(string(out))
	case "check":
		check(os.Args[2], os.Args[3:])
	default:
		fail("unknown mode %s", os.Args[1])
	}
}

func writeVectors(dir string) {
	names := make([]string, 0, len(vectors))
	for name := range vectors {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		out, err := exec.Command(os.Args[0], "vector", name).Output()
		if err != nil {
			fail("vector %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".gob"), out, 0o644); err != nil {
			fail("%v", err)
		}
		fmt.Println("wrote", name)
	}
}

func fetch(url, accept string) []byte {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fail("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		fail("GET %s (%s): status %d", url, accept, resp.StatusCode)
	}
	if got := resp.Header.Get("Content-Type"); got != accept {
		fail("GET %s: asked for %s, got %s", url, accept, got)
	}
	return body
}

// same fetches one endpoint in both representations and requires equal values.
func same(url string, gobValue, jsonValue interface{}, normalize func(interface{})) {
	if err := gob.NewDecoder(bytes.NewReader(fetch(url, "application/x-gob"))).Decode(gobValue); err != nil {
		fail("gob from %s: %v", url, err)
	}
	if err := json.Unmarshal(fetch(url, "application/json"), jsonValue); err != nil {
		fail("json from %s: %v", url, err)
	}
	normalize(gobValue)
	normalize(jsonValue)
	if !reflect.DeepEqual(gobValue, jsonValue) {
		fail("%s: gob and JSON differ:\n gob  %+v\n json %+v", url, gobValue, jsonValue)
	}
	fmt.Println("ok", url)
}

// JSON writes an empty list as [], gob omits it: both mean no entries.
func normalizeEntries(v interface{}) {
	switch x := v.(type) {
	case *AuditPage:
		if len(x.Entries) == 0 {
			x.Entries = nil
		}
	case *HistoryView:
		if len(x.Entries) == 0 {
			x.Entries = nil
		}
	}
}

func nothing(interface{}) {}

func check(base string, users []string) {
	same(base+"/pk", &ServerKeyView{}, &ServerKeyView{}, nothing)
	var pk ServerKeyView
	gob.NewDecoder(bytes.NewReader(fetch(base+"/pk", "application/x-gob"))).Decode(&pk)
	if len(pk.PublicKey) == 0 || len(pk.Fingerprint) != 40 {
		fail("/pk: empty key or fingerprint")
	}
	same(base+"/pk/history", &ServerKeyHistoryView{}, &ServerKeyHistoryView{}, nothing)
	var history ServerKeyHistoryView
	gob.NewDecoder(bytes.NewReader(fetch(base+"/pk/history", "application/x-gob"))).Decode(&history)
	if len(history.Keys) == 0 || history.Keys[len(history.Keys)-1].Fingerprint != pk.Fingerprint {
		fail("/pk/history: the last key is not the key of /pk")
	}
	same(base+"/audit?limit=1000", &AuditPage{}, &AuditPage{}, normalizeEntries)
	same(base+"/audit?after=1&limit=3", &AuditPage{}, &AuditPage{}, normalizeEntries)
	for _, u := range users {
		same(base+"/user/"+u, &UserView{}, &UserView{}, nothing)
		same(base+"/user/"+u+"/history", &HistoryView{}, &HistoryView{}, normalizeEntries)
	}
}
