{#- The PDF's cover (print-site's cover_page_template): the edition comes from
    pyproject.toml through frs_tools/site_hook.py (config.extra.frs). -#}
{%- set frs = config.extra.frs %}
{%- set zh = config.theme.language == "zh" %}
<div class="frs-cover">
  <h1>{{ config.site_name }}</h1>
  <p class="frs-cover-description">{{ config.site_description }}</p>
  <p class="frs-edition frs-edition-{{ 'published' if frs.published else 'draft' }}">
    {%- if zh %}
    <strong>{{ "版本 " ~ frs.version if frs.published else "工作草案" }}</strong>——版本 {{ frs.version }}，{{ frs.date }}</p>
    {%- else %}
    <strong>{{ frs.status }}</strong> — version {{ frs.version }}, {{ frs.date }}</p>
    {%- endif %}
  {%- if not frs.published and zh %}
  <p>本文件为工作组的工作草案，可能随时变更，并非本标准的发布版本；请勿作为发布版本引用。</p>
  {%- elif not frs.published %}
  <p>This is a working draft of the working group. It may change at any time and is not a
    published version of the standard; do not cite it as one.</p>
  {%- endif %}
  <table>
    {%- if config.site_url %}
    <tr><td>{{ "发布地址" if zh else "Published at" }}</td><td><a href="{{ config.site_url }}">{{ config.site_url }}</a></td></tr>
    {%- endif %}
    {%- if frs.repository %}
    <tr><td>{{ "仓库" if zh else "Repository" }}</td><td><a href="{{ frs.repository }}">{{ frs.repository }}</a></td></tr>
    {%- if zh %}
    <tr><td>意见</td><td>每条意见针对一个条款，通过仓库的<a href="{{ frs.comment_url() }}">意见表单</a>提交：
      注明要求的标识符（如 FRS-ACC-004）或章条编号。</td></tr>
    {%- else %}
    <tr><td>Comments</td><td>One comment a clause, through the repository's
      <a href="{{ frs.comment_url() }}">comment form</a>: give the requirement's ID
      (such as FRS-ACC-004) or the clause number.</td></tr>
    {%- endif %}
    {%- endif %}
  </table>
</div>
