{#- The PDF's cover (print-site's cover_page_template): the edition comes from
    pyproject.toml through frs_tools/site_hook.py (config.extra.frs). -#}
{%- set frs = config.extra.frs %}
<div class="frs-cover">
  <h1>{{ config.site_name }}</h1>
  <p class="frs-cover-description">{{ config.site_description }}</p>
  <p class="frs-edition frs-edition-{{ 'published' if frs.published else 'draft' }}">
    <strong>{{ frs.status }}</strong> — version {{ frs.version }}, {{ frs.date }}</p>
  {%- if not frs.published %}
  <p>This is a working draft of the working group. It may change at any time and is not a
    published version of the standard; do not cite it as one.</p>
  {%- endif %}
  <table>
    {%- if config.site_url %}
    <tr><td>Published at</td><td><a href="{{ config.site_url }}">{{ config.site_url }}</a></td></tr>
    {%- endif %}
    {%- if frs.repository %}
    <tr><td>Repository</td><td><a href="{{ frs.repository }}">{{ frs.repository }}</a></td></tr>
    <tr><td>Comments</td><td>One comment a clause, through the repository's
      <a href="{{ frs.comment_url() }}">comment form</a>: give the requirement's ID
      (such as FRS-ACC-004) or the clause number.</td></tr>
    {%- endif %}
  </table>
</div>
