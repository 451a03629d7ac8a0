{{%AUTOESCAPE context="HTML"}}
{{! Every error a user can meet: what happened, what to do (for a batch Partner Center does not know: the likely causes, the swapped lookup, the form filled in), and the ID to quote. }}
<section class="error-page">
<h1>{{TITLE}}</h1>
<p class="message">{{MESSAGE}}</p>
{{#LIKELY}}<div class="likely" id="likely-causes"><p>{{T_ERROR_NO_SUCH_BATCH_LIKELY}}</p>
<ul>
<li>{{T_ERROR_NO_SUCH_BATCH_WRONG_CUSTOMER}}</li>
<li>{{T_ERROR_NO_SUCH_BATCH_SWAPPED}}{{#SWAP}} <a href="{{URL}}" id="swapped-link">{{T_ERROR_NO_SUCH_BATCH_SWAP_LINK}}</a>{{/SWAP}}</li>
<li>{{T_ERROR_NO_SUCH_BATCH_EXPIRED}}</li>
</ul></div>{{/LIKELY}}
{{#DETAIL}}<p class="detail">{{LABEL}}: <code id="error-detail">{{TEXT}}</code></p>{{/DETAIL}}
{{#RETRY}}<p class="retry" id="retry-after">{{TEXT}}</p>{{/RETRY}}
{{#BATCH}}<p>{{T_ERROR_BATCH}} <code>{{TRACKING}}</code> · {{T_BATCH_CUSTOMER}} <code>{{CUSTOMER}}</code> · <a href="{{URL}}">{{T_ERROR_TRY_AGAIN}}</a></p>{{/BATCH}}
{{#LOOKUP}}<h2 id="lookup-again">{{T_ERROR_LOOKUP}}</h2>
<form method="get" action="{{ROOT}}" class="lookup-form" aria-labelledby="lookup-again">
{{#LANG_FIELD}}<input type="hidden" name="lang" value="{{TAG}}">{{/LANG_FIELD}}
<label for="customer">{{T_FORM_CUSTOMER}}</label>
<input id="customer" name="customer" type="text" value="{{CUSTOMER}}" autocomplete="off" spellcheck="false">
<label for="tracking">{{T_FORM_TRACKING}}</label>
<input id="tracking" name="tracking" type="text" value="{{TRACKING}}" autocomplete="off" spellcheck="false">
<button type="submit">{{T_FORM_SUBMIT}}</button>
</form>{{/LOOKUP}}
<p class="correlation">{{T_COMMON_CORRELATION}}: <code class="copyable" id="correlation-id">{{CORRELATION_ID}}</code><br><small>{{QUOTE}}</small></p>
<p><a href="{{FORM_URL}}" id="back-to-form">{{T_ERROR_BACK}}</a></p>
</section>
