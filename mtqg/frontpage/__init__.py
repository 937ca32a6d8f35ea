"""The site's front: the home page and the demo orchestration (above every domain app, below the URL map)."""
