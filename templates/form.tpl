{{%AUTOESCAPE context="HTML"}}
{{! The lookup form; shown again with the values, a summary and each unusable field's own message. }}
<section class="lookup">
<h1>{{T_FORM_HEADING}}</h1>
<p class="lead">{{T_FORM_LEAD}}</p>
{{#MESSAGE}}<p class="message error" role="alert" id="form-message">{{TEXT}}</p>
<p class="correlation-small">{{T_COMMON_CORRELATION}}: <code class="copyable" id="correlation-id">{{CORRELATION_ID}}</code></p>{{/MESSAGE}}
<form method="get" action="{{ROOT}}" class="lookup-form">
{{#LANG_FIELD}}<input type="hidden" name="lang" value="{{TAG}}">{{/LANG_FIELD}}
{{#EMBED_FIELD}}<input type="hidden" name="embed" value="1">{{/EMBED_FIELD}}
<label for="customer">{{T_FORM_CUSTOMER}}</label>
<input id="customer" name="customer" type="text" value="{{CUSTOMER}}" placeholder="47021739-3426-40bf-9601-61b4b6d7c793" autocomplete="off" spellcheck="false"{{#CUSTOMER_INVALID}} aria-invalid="true" aria-describedby="customer-message"{{#FOCUS}} autofocus{{/FOCUS}}{{/CUSTOMER_INVALID}}>
{{#CUSTOMER_INVALID}}<p class="field-message" id="customer-message">{{TEXT}}</p>{{/CUSTOMER_INVALID}}
<label for="tracking">{{T_FORM_TRACKING}}</label>
<input id="tracking" name="tracking" type="text" value="{{TRACKING}}" placeholder="0127ed8e-ff72-4983-a3d8-e8d8bd378932" autocomplete="off" spellcheck="false"{{#TRACKING_INVALID}} aria-invalid="true" aria-describedby="tracking-message"{{#FOCUS}} autofocus{{/FOCUS}}{{/TRACKING_INVALID}}>
{{#TRACKING_INVALID}}<p class="field-message" id="tracking-message">{{TEXT}}</p>{{/TRACKING_INVALID}}
<p class="hint">{{T_FORM_HINT}}</p>
<button type="submit">{{T_FORM_SUBMIT}}</button>
</form>
{{#RECENT}}<section class="recent" aria-labelledby="recent-title">
<h2 id="recent-title">{{T_RECENT_TITLE}}</h2>
<ul id="recent">
{{#ITEM}}<li><a href="{{URL}}">{{CUSTOMER}}</a> <code>{{TRACKING}}</code> <span class="recent-outcome" data-outcome="{{OUTCOME_CLASS}}">{{OUTCOME}}</span></li>
{{/ITEM}}</ul>
<p class="hint">{{T_RECENT_NOTE}} <a href="{{FORGET_URL}}" id="forget-recent">{{T_RECENT_FORGET}}</a></p>
</section>{{/RECENT}}
{{#CHROME}}<p class="find-customer"><a href="{{FIND_URL}}" id="find-customer">{{T_FORM_FIND_CUSTOMER}}</a></p>{{/CHROME}}
</section>
