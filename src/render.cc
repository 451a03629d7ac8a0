// render.cc: the only file that knows ctemplate; C calls it through render.h, and no exception crosses back.
#include "render.h"

#include <ctemplate/template.h>
#include <ctemplate/template_emitter.h>

#include <cstdio>
#include <fstream>
#include <new>
#include <string>

using ctemplate::TemplateDictionary;

namespace {

const char *const kPages[] = { "layout", "form", "batch", "error" };
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

}  // namespace

struct tpage {
  TemplateDictionary layout;
  TemplateDictionary *body;
  explicit tpage(const char *name) : layout("layout"), body(nullptr) {
    body = layout.AddIncludeDictionary("BODY");
    body->SetFilename(std::string(name) + ".tpl");
  }
};

extern "C" int render_init(const char *dir, char *err, size_t errsz) {
  try {
    ctemplate::TemplateCache *cache = ctemplate::mutable_default_template_cache();
    if (!cache->SetTemplateRootDirectory(dir)) {
      std::snprintf(err, errsz, "templates: cannot use directory %s", dir);
      return -1;
    }
    for (const char *page : kPages) {
      std::string file = std::string(dir) + "/" + page + ".tpl";
      std::ifstream in(file);
      std::string first;
      if (!in || !std::getline(in, first)) {
        std::snprintf(err, errsz, "templates: cannot read %s", file.c_str());
        return -1;
      }
      if (first.compare(0, sizeof(kPragma) - 1, kPragma) != 0) {
        std::snprintf(err, errsz, "templates: %s must start with %s", file.c_str(), kPragma);
        return -1;
      }
      if (!cache->LoadTemplate(std::string(page) + ".tpl", kStrip)) {
        std::snprintf(err, errsz, "templates: %s does not parse (see the message above)",
                      file.c_str());
        return -1;
      }
    }
    cache->Freeze();
    return 0;
  } catch (...) {
    std::snprintf(err, errsz, "templates: could not load (out of memory?)");
    return -1;
  }
}

extern "C" struct tpage *tpage_new(const char *name) {
  page_failed = false;
  try {
    return new tpage(name);
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
    bool ok = ctemplate::mutable_default_template_cache()->ExpandNoLoad(
        "layout.tpl", kStrip, &p->layout, nullptr, &e);
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

extern "C" void tpage_set_static(struct tpage *p, const char *key, const char *value) {
  try {
    // Template-global: seen by the layout, the page template and every section of both.
    p->layout.SetTemplateGlobalValueWithoutCopy(key, value);
    p->body->SetTemplateGlobalValueWithoutCopy(key, value);
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
