{{%AUTOESCAPE context="HTML"}}
{{! Every error a user can meet: what happened, what to do, and the ID to quote. }}
<section class="error-page">
<h1>{{TITLE}}</h1>
<p class="message">{{MESSAGE}}</p>
{{#DETAIL}}<p class="detail">{{LABEL}}: <code id="error-detail">{{TEXT}}</code></p>{{/DETAIL}}
{{#RETRY}}<p class="retry" id="retry-after">{{TEXT}}</p>{{/RETRY}}
{{#BATCH}}<p>{{T_ERROR_BATCH}} <code>{{TRACKING}}</code> · {{T_BATCH_CUSTOMER}} <code>{{CUSTOMER}}</code> · <a href="{{URL}}">{{T_ERROR_TRY_AGAIN}}</a></p>{{/BATCH}}
<p class="correlation">{{T_COMMON_CORRELATION}}: <code id="correlation-id">{{CORRELATION_ID}}</code><br><small>{{QUOTE}}</small></p>
<p><a href="{{HOME_URL}}">{{T_ERROR_BACK}}</a></p>
</section>
