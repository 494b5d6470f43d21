// The knowledge-base search index reader (.desk/cache/kb-index, mapped and searched in
// place): open it, read every article and term, search.
#include "fuzz_support.hpp"

#include <desk/kb/kb_index.hpp>
#include <desk/util/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  try {
    const auto index = desk::kb::KbIndex::open(std::string(desk::fuzz::as_text(data, size)));
    if (!index) {
      return 0;
    }
    for (std::uint32_t i = 0; i < index->size(); ++i) {
      index->doc(i);
      index->file_stamp(i);
    }
    index->problems();
    std::vector<std::string> terms;
    for (std::size_t i = 0; i < index->term_count() && i < 4096; ++i) {
      terms.emplace_back(index->term(i));
      index->postings(i); // may name docs out of range: search skips them
    }
    terms.push_back("vpn");
    terms.push_back("打印");
    for (const auto& hit : index->search(terms, {}, 10)) {
      desk::fuzz::check(hit.doc < index->size(), "a hit names an article the index does not have");
    }
  } catch (const desk::Error&) {
  }
  return 0;
}
