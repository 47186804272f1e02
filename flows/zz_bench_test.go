package flows

import (
	"io/fs"
	"testing"
)

func BenchmarkParseBuiltinTmp(b *testing.B) {
	entries, _ := fs.Glob(builtinFiles, "builtin/*.toml")
	var datas [][]byte
	for _, n := range entries {
		d, _ := builtinFiles.ReadFile(n)
		datas = append(datas, d)
	}
	for b.Loop() {
		for i, d := range datas {
			if _, err := Parse(entries[i], d); err != nil {
				b.Fatal(err)
			}
		}
	}
}
