{{%AUTOESCAPE context="HTML"}}
{{! The customer search: a name's or domain's first letters, and the customers Partner Center has for them. }}
<section class="customers">
{{#CHROME}}<p class="crumbs"><a href="{{HOME_URL}}">{{T_BATCH_NEW_LOOKUP}}</a></p>{{/CHROME}}
<h1>{{T_CUSTOMERS_HEADING}}</h1>
<p class="lead">{{T_CUSTOMERS_LEAD}}</p>
<form method="get" action="{{ROOT}}customers" class="search customer-search" role="search">
{{#LANG_FIELD}}<input type="hidden" name="lang" value="{{TAG}}">{{/LANG_FIELD}}
{{#EMBED_FIELD}}<input type="hidden" name="embed" value="1">{{/EMBED_FIELD}}
<label for="q">{{T_CUSTOMERS_SEARCH}}</label>
<input id="q" name="q" type="search" value="{{SEARCH}}" autocomplete="off" spellcheck="false" maxlength="64">
<button type="submit">{{T_CUSTOMERS_SUBMIT}}</button>
</form>
{{#STALE}}<p class="notice stale" id="stale" role="status">{{TEXT}}</p>{{/STALE}}
{{#RESULTS}}<h2 id="results-title">{{HEADING}}</h2>
<p class="showing" id="showing">{{COUNT}}</p>
{{#TRUNCATED}}<p class="note" id="truncated">{{TEXT}}</p>{{/TRUNCATED}}
{{#HIDDEN}}<p class="note" id="hidden">{{TEXT}}</p>{{/HIDDEN}}
{{#NONE}}<p class="empty" id="none-match">{{TEXT}}</p>{{/NONE}}
{{#TABLE}}<div class="table-wrap" tabindex="0" role="region" aria-labelledby="results-title">
<table id="customers">
<thead><tr><th scope="col">{{T_CUSTOMERS_COL_NAME}}</th><th scope="col">{{T_CUSTOMERS_COL_DOMAIN}}</th><th scope="col">{{T_CUSTOMERS_COL_TENANT}}</th></tr></thead>
<tbody>
{{#CUSTOMER}}<tr><td class="name" data-label="{{T_CUSTOMERS_COL_NAME}}"><a href="{{URL}}">{{NAME}}</a></td><td class="domain" data-label="{{T_CUSTOMERS_COL_DOMAIN}}">{{DOMAIN}}</td><td class="tenant" data-label="{{T_CUSTOMERS_COL_TENANT}}"><code>{{TENANT}}</code></td></tr>
{{/CUSTOMER}}</tbody>
</table></div>{{/TABLE}}
{{/RESULTS}}
</section>
