"""`mailkit app`: the notebooks as one point-and-click app, served by Voilà on 127.0.0.1.

`steps` names the notebooks in the order an admin works and renders the navigation every page shows;
`server` prepares the workspace's sandbox, the kernels' environment and Voilà's settings, and runs it.
The Voilà template (`share/voila/templates/mailkit`) adds that navigation to Voilà's lab template.
"""
