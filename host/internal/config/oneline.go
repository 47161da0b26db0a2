package config

import (
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// The profile language writes short blocks on one line with several attributes, as settings.md
// does:
//
//	task "import_orders_export_stock" { every = "1h"  next = "2026-11-24T06:00:00+01:00" }
//
// HCL's native syntax allows only one attribute in a one-line block. Before parsing, such a block
// is spread over several lines by turning the whitespace after "{", between its attributes and
// before "}" into newlines. Only single whitespace bytes are replaced, so every byte offset stays
// the same, and remapRange restores the line and column of the original text in diagnostics.

// expandOneLineBlocks returns src with every one-line block of two or more attributes spread over
// lines, and whether it changed anything. A block is left alone when a needed whitespace byte is
// missing; HCL then reports it as usual.
func expandOneLineBlocks(src []byte) ([]byte, bool) {
	tokens, diags := hclsyntax.LexConfig(src, "", hcl.InitialPos)
	if diags.HasErrors() {
		return src, false
	}
	var out []byte
	for i, tok := range tokens {
		if tok.Type != hclsyntax.TokenOBrace || i == 0 {
			continue
		}
		if prev := tokens[i-1].Type; prev != hclsyntax.TokenCQuote && prev != hclsyntax.TokenIdent {
			continue // an object expression, not a block
		}
		starts, closeAt, ok := oneLineAttributes(tokens, i)
		if !ok || len(starts) < 2 {
			continue
		}
		positions := append(append([]int{}, starts...), closeAt)
		if !allSpaceBefore(src, positions) {
			continue
		}
		if out == nil {
			out = append([]byte(nil), src...)
		}
		for _, p := range positions {
			out[p-1] = '\n'
		}
	}
	if out == nil {
		return src, false
	}
	return out, true
}

// oneLineAttributes scans the block body opened by tokens[open] up to its closing brace on the
// same line. It returns the byte offsets of each attribute name at the block's top level and of
// the closing brace; ok is false when the block spans lines.
func oneLineAttributes(tokens hclsyntax.Tokens, open int) (starts []int, closeAt int, ok bool) {
	depth := 0
	for j := open + 1; j < len(tokens); j++ {
		t := tokens[j]
		switch t.Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenEOF:
			return nil, 0, false
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			depth++
		case hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd:
			depth--
		case hclsyntax.TokenCBrace:
			if depth == 0 {
				return starts, t.Range.Start.Byte, true
			}
			depth--
		case hclsyntax.TokenIdent:
			if depth == 0 && j+1 < len(tokens) && tokens[j+1].Type == hclsyntax.TokenEqual {
				starts = append(starts, t.Range.Start.Byte)
			}
		}
	}
	return nil, 0, false
}

func allSpaceBefore(src []byte, positions []int) bool {
	for _, p := range positions {
		if p < 1 || (src[p-1] != ' ' && src[p-1] != '\t') {
			return false
		}
	}
	return true
}

// remapRange recomputes the lines and columns of r from its byte offsets in the original src.
func remapRange(r *hcl.Range, src []byte) {
	r.Start = posAt(src, r.Start.Byte)
	r.End = posAt(src, r.End.Byte)
}

func posAt(src []byte, offset int) hcl.Pos {
	if offset > len(src) {
		offset = len(src)
	}
	if offset < 0 {
		offset = 0
	}
	line, col := 1, 1
	for i := 0; i < offset; {
		r, size := utf8.DecodeRune(src[i:])
		i += size
		if r == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return hcl.Pos{Line: line, Column: col, Byte: offset}
}

// remapDiagnostics puts the original lines and columns back into diagnostics about files whose
// one-line blocks were spread over lines.
func remapDiagnostics(diags hcl.Diagnostics, originals map[string][]byte) {
	if len(originals) == 0 {
		return
	}
	for _, d := range diags {
		for _, r := range []*hcl.Range{d.Subject, d.Context} {
			if r == nil {
				continue
			}
			if src, ok := originals[r.Filename]; ok {
				remapRange(r, src)
			}
		}
	}
}
