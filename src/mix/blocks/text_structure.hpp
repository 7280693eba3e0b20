// text_structure.hpp — where the next byte stands in the layout of text:
// inside how many ( [ { and which, inside a " or not, the line's indent, its
// first two bytes, the column, which field of the line, and the first two
// bytes of the line before. Profile 7's structure contexts
// (profiles/profile7_text.cpp) hash these with the last bytes: code, markup
// and tables repeat by nesting and by line kind more than by the last few
// bytes.
//
// Updated once a byte, after it is coded, so the encoder and the decoder
// hold the same values before every byte. Nothing here is a hash; every
// field is exact (the contexts clamp what they use).
#pragma once

#include <cstdint>

namespace mbz::mix {

struct TextStructure {
  uint32_t depth = 0;      // unclosed ( [ { ; a closer with none open is ignored
  uint32_t openers = 0;    // the unclosed openers, 2 bits each, the innermost lowest: 1 (, 2 [, 3 {;
                           // shifted out beyond 16, so closing past those brings back 0s
  uint32_t quote = 0;      // 1 between a " and the next " or the line's end
  uint32_t indent = 0;     // the spaces and tabs that start the line
  bool in_indent = true;   // the line has had only spaces and tabs
  uint32_t head = 0;       // the line's first two bytes after the indent: 0, then 0x100 | b1,
                           // then 0x10000 | b1 << 8 | b2 (17 bits at most)
  uint32_t column = 0;     // bytes since the line's start
  uint32_t field = 0;      // separators ; , tab | : = in the line so far
  uint32_t separator = 0;  // the last of them; 0: none yet
  uint32_t prev_head = 0;  // head of the line before

  void update(uint8_t byte) {
    if (byte == '(' || byte == '[' || byte == '{') {
      ++depth;
      openers = openers << 2 | (byte == '(' ? 1u : byte == '[' ? 2u : 3u);
    } else if ((byte == ')' || byte == ']' || byte == '}') && depth > 0) {
      --depth;
      openers >>= 2;
    }
    if (byte == '"') quote ^= 1;
    if (byte == '\n') {
      prev_head = head;
      head = column = field = separator = 0;
      quote = indent = 0;
      in_indent = true;
      return;
    }
    ++column;
    const bool blank = byte == ' ' || byte == '\t';
    // A byte of the head is one after the indent (in_indent as it was before this byte).
    if (head < 0x10000 && !(in_indent && blank)) head = head ? (head << 8 | byte) | 0x10000 : (byte | 0x100u);
    if (byte == ';' || byte == ',' || byte == '\t' || byte == '|' || byte == ':' || byte == '=') ++field, separator = byte;
    if (in_indent && blank)
      ++indent;
    else
      in_indent = false;
  }
};

}  // namespace mbz::mix
