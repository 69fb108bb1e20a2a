import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { theme } from './lib/theme.svelte.ts';

// before the first render, so a dark-mode user never sees a light frame (the admin CSP forbids inline scripts)
theme.apply();

export default mount(App, { target: document.getElementById('app')! });
