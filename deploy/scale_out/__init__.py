"""The scale-out recipe: nginx in front of Streamlit replicas, PostgreSQL, a shared model store (README.md)."""
