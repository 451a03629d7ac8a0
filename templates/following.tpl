{{%AUTOESCAPE context="HTML"}}
{{! Followed batches: what this server follows until each finishes, and what each came to. }}
<section class="following">
{{#CHROME}}<p class="crumbs"><a href="{{HOME_URL}}">{{T_BATCH_NEW_LOOKUP}}</a></p>{{/CHROME}}
<h1 id="following-title">{{T_FOLLOWING_TITLE}}</h1>
<p class="lead">{{T_FOLLOWING_LEAD}}</p>
{{#NONE}}<p class="empty" id="following-none">{{T_FOLLOWING_NONE}}</p>{{/NONE}}
{{#FOLLOWING}}<div class="table-wrap" tabindex="0" role="region" aria-labelledby="following-title">
<table id="following">
<thead><tr><th scope="col">{{T_FOLLOWING_COL_BATCH}}</th><th scope="col">{{T_FOLLOWING_COL_CUSTOMER}}</th><th scope="col">{{T_FOLLOWING_COL_SINCE}}</th><th scope="col">{{T_FOLLOWING_COL_STATE}}</th></tr></thead>
<tbody>
{{#ITEM}}<tr class="follow-{{STATE_CLASS}}"><td class="tracking" data-label="{{T_FOLLOWING_COL_BATCH}}"><a href="{{URL}}"><code>{{TRACKING}}</code></a></td><td class="customer" data-label="{{T_FOLLOWING_COL_CUSTOMER}}"><a href="{{CUSTOMER_URL}}">{{CUSTOMER}}</a></td><td class="since" data-label="{{T_FOLLOWING_COL_SINCE}}"><span>{{#SINCE_AT}}<time datetime="{{ISO}}">{{TEXT}}</time>{{#AGO}} <span class="ago">({{TEXT}})</span>{{/AGO}}{{/SINCE_AT}}{{SINCE}}</span></td><td class="state" data-label="{{T_FOLLOWING_COL_STATE}}"><span>{{STATE}}{{#HEADLINE}}<br><span class="follow-headline">{{TEXT}}</span>{{/HEADLINE}}</span></td></tr>
{{/ITEM}}</tbody>
</table></div>{{/FOLLOWING}}
</section>
