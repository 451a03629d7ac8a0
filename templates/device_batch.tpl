{{%AUTOESCAPE context="HTML"}}
{{! A device batch: every device Partner Center holds under the name, searchable, and its exports. The hardware hash is never shown, only whether there is one. }}
<section class="device-batch">
{{#CHROME}}<p class="crumbs"><a href="{{HOME_URL}}">{{T_BATCH_NEW_LOOKUP}}</a> · <a href="{{CUSTOMER_URL}}" id="customer-link">{{CUSTOMER_NAME}}</a></p>{{/CHROME}}
<h1>{{T_DEVICES_HEADING}} <span class="batch-name" id="batch-name">{{BATCH_ID}}</span></h1>
<dl class="facts">
<dt>{{T_BATCH_CUSTOMER}}</dt><dd><span class="customer-name">{{CUSTOMER_NAME}}</span> <code class="copyable" id="customer-id">{{CUSTOMER}}</code></dd>
</dl>
{{#STALE}}<p class="notice stale" id="stale" role="status">{{TEXT}}</p>{{/STALE}}
{{#TRUNCATED}}<p class="note" id="truncated">{{TEXT}}</p>{{/TRUNCATED}}
<p class="downloads"><a href="{{CSV_URL}}" id="devices-csv">{{T_BATCH_DOWNLOAD_CSV}}</a> · <a href="{{JSON_URL}}" id="devices-json">{{T_BATCH_JSON}}</a></p>
{{#NO_DEVICES}}<p class="empty" id="no-devices">{{T_DEVICES_NONE}}</p>{{/NO_DEVICES}}
<form method="get" class="search" role="search">
{{#KEEP}}<input type="hidden" name="{{NAME}}" value="{{VALUE}}">{{/KEEP}}
<label for="q">{{T_DEVICES_SEARCH_LABEL}}</label>
<input id="q" name="q" type="search" value="{{SEARCH}}" autocomplete="off" spellcheck="false">
<button type="submit">{{T_BATCH_SEARCH_SUBMIT}}</button>
{{#CLEAR}}<a href="{{URL}}" class="clear">{{T_BATCH_SEARCH_CLEAR}}</a>{{/CLEAR}}
</form>
{{#NONE_MATCH}}<p class="empty" id="none-match">{{T_BATCH_NONE_MATCH}}</p>{{/NONE_MATCH}}
<p class="showing" id="showing">{{SHOWING}}</p>
{{#DEVICES}}<div class="table-wrap" tabindex="0" role="region" aria-label="{{T_BATCH_DEVICES}}">
<table id="devices">
<thead><tr><th scope="col">{{T_BATCH_COL_N}}</th><th scope="col">{{T_BATCH_COL_SERIAL}}</th><th scope="col">{{T_BATCH_COL_PRODUCT_KEY}}</th><th scope="col">{{T_DEVICES_COL_MANUFACTURER}}</th><th scope="col">{{T_DEVICES_COL_MODEL}}</th><th scope="col">{{T_DEVICES_COL_UPLOADED}}</th><th scope="col">{{T_DEVICES_COL_HASH}}</th><th scope="col">{{T_DEVICES_COL_PROFILE}}</th><th scope="col">{{T_BATCH_COL_DEVICE_ID}}</th></tr></thead>
<tbody>
{{#DEVICE}}<tr><td class="n" data-label="{{T_BATCH_COL_N}}">{{N}}</td><td class="serial" data-label="{{T_BATCH_COL_SERIAL}}">{{SERIAL}}</td><td class="pkey" data-label="{{T_BATCH_COL_PRODUCT_KEY}}">{{PRODUCT_KEY}}</td><td class="maker" data-label="{{T_DEVICES_COL_MANUFACTURER}}">{{MANUFACTURER}}</td><td class="model" data-label="{{T_DEVICES_COL_MODEL}}">{{MODEL}}</td><td class="uploaded" data-label="{{T_DEVICES_COL_UPLOADED}}"><span>{{#UPLOADED_AT}}<time datetime="{{ISO}}">{{TEXT}}</time>{{/UPLOADED_AT}}{{UPLOADED}}</span></td><td class="hash {{HASH_CLASS}}" data-label="{{T_DEVICES_COL_HASH}}">{{HASH}}</td><td class="profile" data-label="{{T_DEVICES_COL_PROFILE}}">{{PROFILE}}</td><td class="device-id" data-label="{{T_BATCH_COL_DEVICE_ID}}">{{DEVICE_ID}}</td></tr>
{{/DEVICE}}</tbody>
</table></div>{{/DEVICES}}
</section>
