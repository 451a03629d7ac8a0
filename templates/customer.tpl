{{%AUTOESCAPE context="HTML"}}
{{! A customer: its name and domain, a lookup of its uploads by tracking ID, and its device batches. }}
<section class="customer">
{{#CHROME}}<p class="crumbs"><a href="{{HOME_URL}}">{{T_BATCH_NEW_LOOKUP}}</a> · <a href="{{SEARCH_URL}}" id="search-link">{{T_CUSTOMER_SEARCH_AGAIN}}</a></p>{{/CHROME}}
<h1 id="customer-name">{{NAME}}</h1>
<dl class="facts">
<dt>{{T_BATCH_CUSTOMER}}</dt><dd><code class="copyable" id="customer-id">{{CUSTOMER}}</code></dd>
{{#DOMAIN}}<dt>{{T_CUSTOMERS_COL_DOMAIN}}</dt><dd id="domain">{{TEXT}}</dd>{{/DOMAIN}}
{{#TENANT}}<dt>{{T_CUSTOMERS_COL_TENANT}}</dt><dd><code id="tenant-id">{{TEXT}}</code></dd>{{/TENANT}}
</dl>
<h2 id="lookup-title">{{T_CUSTOMER_LOOKUP}}</h2>
<form method="get" action="{{ROOT}}" class="lookup-form" aria-labelledby="lookup-title">
{{#LANG_FIELD}}<input type="hidden" name="lang" value="{{TAG}}">{{/LANG_FIELD}}
{{#EMBED_FIELD}}<input type="hidden" name="embed" value="1">{{/EMBED_FIELD}}
<input type="hidden" name="customer" value="{{CUSTOMER}}">
<label for="tracking">{{T_FORM_TRACKING}}</label>
<input id="tracking" name="tracking" type="text" value="" placeholder="0127ed8e-ff72-4983-a3d8-e8d8bd378932" autocomplete="off" spellcheck="false">
<button type="submit">{{T_FORM_SUBMIT}}</button>
</form>
<h2 id="batches-title">{{T_CUSTOMER_BATCHES}}</h2>
{{#STALE}}<p class="notice stale" id="stale" role="status">{{TEXT}}</p>{{/STALE}}
<p class="showing" id="showing">{{COUNT}}</p>
{{#TRUNCATED}}<p class="note" id="truncated">{{TEXT}}</p>{{/TRUNCATED}}
{{#NO_BATCHES}}<p class="empty" id="no-batches">{{T_CUSTOMER_NO_BATCHES}}</p>{{/NO_BATCHES}}
{{#BATCHES}}<p class="hint">{{T_CUSTOMER_BATCHES_LEAD}}</p>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="batches-title">
<table id="device-batches">
<thead><tr><th scope="col">{{T_CUSTOMER_COL_NAME}}</th><th scope="col">{{T_CUSTOMER_COL_CREATED}}</th><th scope="col">{{T_CUSTOMER_COL_BY}}</th><th scope="col">{{T_CUSTOMER_COL_DEVICES}}</th></tr></thead>
<tbody>
{{#BATCH}}<tr><td class="name" data-label="{{T_CUSTOMER_COL_NAME}}"><a href="{{URL}}">{{ID}}</a></td><td class="created" data-label="{{T_CUSTOMER_COL_CREATED}}"><span>{{#CREATED_AT}}<time datetime="{{ISO}}">{{TEXT}}</time>{{#AGO}} <span class="ago">({{TEXT}})</span>{{/AGO}}{{/CREATED_AT}}{{CREATED}}</span></td><td class="by" data-label="{{T_CUSTOMER_COL_BY}}">{{BY}}</td><td class="n" data-label="{{T_CUSTOMER_COL_DEVICES}}">{{DEVICES}}</td></tr>
{{/BATCH}}</tbody>
</table></div>{{/BATCHES}}
{{#FOLLOWED_BATCHES}}<h2 id="following-title">{{T_FOLLOWING_CUSTOMER_HEADING}}</h2>
{{#NONE}}<p class="empty" id="following-none">{{T_FOLLOWING_NONE}}</p>{{/NONE}}
{{#FOLLOWING}}<div class="table-wrap" tabindex="0" role="region" aria-labelledby="following-title">
<table id="following">
<thead><tr><th scope="col">{{T_FOLLOWING_COL_BATCH}}</th><th scope="col">{{T_FOLLOWING_COL_SINCE}}</th><th scope="col">{{T_FOLLOWING_COL_STATE}}</th></tr></thead>
<tbody>
{{#ITEM}}<tr class="follow-{{STATE_CLASS}}"><td class="tracking" data-label="{{T_FOLLOWING_COL_BATCH}}"><a href="{{URL}}"><code>{{TRACKING}}</code></a></td><td class="since" data-label="{{T_FOLLOWING_COL_SINCE}}"><span>{{#SINCE_AT}}<time datetime="{{ISO}}">{{TEXT}}</time>{{#AGO}} <span class="ago">({{TEXT}})</span>{{/AGO}}{{/SINCE_AT}}{{SINCE}}</span></td><td class="state" data-label="{{T_FOLLOWING_COL_STATE}}"><span>{{STATE}}{{#HEADLINE}}<br><span class="follow-headline">{{TEXT}}</span>{{/HEADLINE}}</span></td></tr>
{{/ITEM}}</tbody>
</table></div>{{/FOLLOWING}}
<p class="feed"><a href="{{FEED_URL}}" type="application/atom+xml" id="feed-link">{{T_FOLLOWING_FEED}}</a></p>{{/FOLLOWED_BATCHES}}
</section>
