// render.cc: the only file that knows ctemplate; C calls it through render.h, and no exception crosses back.
#include "render.h"

#include <ctemplate/template.h>
#include <ctemplate/template_emitter.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <new>
#include <string>

using ctemplate::TemplateDictionary;

namespace {

const char *const kPages[] = { "layout", "form", "batch", "error", "customers",
    "customer", "device_batch", "following" };
const char kPragma[] = "{{%AUTOESCAPE context=\"HTML\"}}";
const ctemplate::Strip kStrip = ctemplate::STRIP_BLANK_LINES;

// A page is built and expanded by one thread; a failed setter marks it here.
thread_local bool page_failed = false;

// Writes straight into the caller's buffer: no second copy of a large page.
class BufEmitter : public ctemplate::ExpandEmitter {
 public:
  explicit BufEmitter(struct buf *b) : b_(b) {}
  void Emit(char c) override { buf_putc(b_, c); }
  void Emit(const std::string &s) override { buf_append(b_, s.data(), s.size()); }
  void Emit(const char *s) override { buf_puts(b_, s); }
  void Emit(const char *s, size_t n) override { buf_append(b_, s, n); }

 private:
  struct buf *b_;
};

TemplateDictionary *D(struct tdict *t) { return reinterpret_cast<TemplateDictionary *>(t); }
struct tdict *T(TemplateDictionary *d) { return reinterpret_cast<struct tdict *>(d); }

// The template cache's name of a page in one language: "batch.2.tpl".
std::string key_of(const char *page, size_t lang) {
  return std::string(page) + "." + std::to_string(lang) + ".tpl";
}

// A catalog word as page text: HTML-escaped (it sits in text or a quoted
// attribute), and no "{{" that ctemplate could take for a marker.
std::string escaped(const char *w) {
  std::string out;
  for (; *w != '\0'; w++) {
    switch (*w) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '{': out += "&#123;"; break;
      default: out += *w;
    }
  }
  return out;
}

// The template text with every {{T_NAME}} the catalog knows replaced by its word in lang.
std::string localized(const std::string &text, const struct render_words *words, size_t lang) {
  std::string out;
  size_t at = 0, open, close;
  while ((open = text.find("{{T_", at)) != std::string::npos &&
         (close = text.find("}}", open)) != std::string::npos) {
    std::string var = text.substr(open + 2, close - open - 2);
    const char *w = var.find_first_of(":{>#/") == std::string::npos ?
        words->word(lang, var.c_str()) : nullptr;
    out.append(text, at, open - at);
    if (w != nullptr)
      out += escaped(w);
    else
      out.append(text, open, close + 2 - open);
    at = close + 2;
  }
  out.append(text, at, std::string::npos);
  return out;
}

// One loaded, frozen set of templates; a reload makes another and swaps it in.
struct Loaded {
  ctemplate::TemplateCache cache;
  size_t nlangs = 1;
};

std::atomic<Loaded *> current{nullptr};  // read by the CPU workers
Loaded *retired = nullptr;               // replaced by a reload; freed once nobody expands it

}  // namespace

struct tpage {
  TemplateDictionary layout;
  TemplateDictionary *body;
  std::string layout_key;
  const Loaded *loaded;
  tpage(const char *name, size_t lang, const Loaded *l) : layout("layout"), body(nullptr),
      layout_key(key_of("layout", lang)), loaded(l) {
    body = layout.AddIncludeDictionary("BODY");
    body->SetFilename(key_of(name, lang));
  }
};

extern "C" int render_init(const char *dir, const struct render_words *words, char *err,
                           size_t errsz) {
  Loaded *fresh = nullptr;
  try {
    fresh = new Loaded();
    ctemplate::TemplateCache *cache = &fresh->cache;
    size_t nlangs = fresh->nlangs = words != nullptr && words->nlangs > 0 ? words->nlangs : 1;
    for (const char *page : kPages) {
      std::string file = std::string(dir) + "/" + page + ".tpl";
      std::ifstream in(file, std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in || text.empty()) {
        std::snprintf(err, errsz, "templates: cannot read %s", file.c_str());
        delete fresh;
        return -1;
      }
      if (text.compare(0, sizeof(kPragma) - 1, kPragma) != 0) {
        std::snprintf(err, errsz, "templates: %s must start with %s", file.c_str(), kPragma);
        delete fresh;
        return -1;
      }
      /*
       * One template per language, its catalog words written in: a page
       * then sets only what varies per request, not ~130 words twice, each
       * a hash and a lock of ctemplate's global name map (a third of the
       * render's time when two threads rendered at once).
       */
      for (size_t lang = 0; lang < nlangs; lang++) {
        std::string t = words != nullptr ? localized(text, words, lang) : text;
        if (!cache->StringToTemplateCache(key_of(page, lang), t, kStrip)) {
          std::snprintf(err, errsz, "templates: %s does not parse (see the message above)",
                        file.c_str());
          delete fresh;
          return -1;
        }
      }
    }
    cache->Freeze();
  } catch (...) {
    std::snprintf(err, errsz, "templates: could not load (out of memory?)");
    delete fresh;
    return -1;
  }
  // One replaced set is kept at a time: a second reload before it was freed frees it now.
  render_retired_free();
  retired = current.exchange(fresh);
  return 0;
}

extern "C" void render_retired_free(void) {
  delete retired;
  retired = nullptr;
}

extern "C" void render_revert(void) {
  if (retired != nullptr) retired = current.exchange(retired);
}

extern "C" void render_free(void) {
  delete current.exchange(nullptr);
  render_retired_free();
}

extern "C" struct tpage *tpage_new(const char *name, size_t lang) {
  page_failed = false;
  const Loaded *l = current.load();
  if (l == nullptr) return nullptr;
  try {
    return new tpage(name, lang < l->nlangs ? lang : 0, l);
  } catch (...) {
    return nullptr;
  }
}

extern "C" void tpage_free(struct tpage *p) { delete p; }

extern "C" struct tdict *tpage_layout(struct tpage *p) { return T(&p->layout); }

extern "C" struct tdict *tpage_body(struct tpage *p) { return T(p->body); }

extern "C" int tpage_render(struct tpage *p, struct buf *out) {
  if (page_failed) return -1;
  try {
    BufEmitter e(out);
    bool ok = p->loaded->cache.ExpandNoLoad(p->layout_key, kStrip, &p->layout, nullptr, &e);
    return ok && !out->failed ? 0 : -1;
  } catch (...) {
    return -1;
  }
}

extern "C" void tdict_set(struct tdict *t, const char *key, const char *value) {
  try {
    D(t)->SetValue(key, value);
  } catch (...) {
    page_failed = true;
  }
}

extern "C" void tdict_set_long(struct tdict *t, const char *key, long value) {
  try {
    D(t)->SetValue(key, std::to_string(value));
  } catch (...) {
    page_failed = true;
  }
}

extern "C" void tdict_show(struct tdict *t, const char *section) {
  try {
    D(t)->ShowSection(section);
  } catch (...) {
    page_failed = true;
  }
}

extern "C" struct tdict *tdict_section(struct tdict *t, const char *section) {
  try {
    return T(D(t)->AddSectionDictionary(section));
  } catch (...) {
    page_failed = true;
    return nullptr;
  }
}
